// Subscriptions in the playground: they go over a websocket to the GraphQL
// endpoint (graphql-transport-ws, the graphql-ws client), everything else over
// HTTP as GraphiQL's own fetcher sends it.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { getOperationAST } from 'graphql';
import { createClient } from 'graphql-ws';
import { Sockets, websocketURL } from './sockets.js';

/**
 * A GraphiQL fetcher for the endpoint (a path on the page's origin).
 * @param {string} endpoint
 * @param {Location} location the page's, which gives ws: or wss: and the host
 */
export function createPlaygroundFetcher(endpoint, location) {
  const http = createGraphiQLFetcher({ url: endpoint });
  const sockets = new Sockets(websocketURL(endpoint, location), explain(endpoint), createClient);
  return (params, opts) => {
    const operation = opts?.documentAST && getOperationAST(opts.documentAST, params.operationName || undefined);
    if (operation?.operation !== 'subscription') return http(params, opts);
    // An Observable, which GraphiQL stops by unsubscribing at once (an async
    // iterator's return would wait for the next change to arrive).
    return { subscribe: (sink) => ({ unsubscribe: sockets.subscribe(opts.headers ?? {}, params, sink) }) };
  };
}

// Asks the endpoint over HTTP, with the headers a socket was refused with, for
// the server's answer: its coded error.
function explain(endpoint) {
  return async (headers) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    return response.json();
  };
}
