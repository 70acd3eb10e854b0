// The playground's websockets: one graphql-ws client for each set of headers
// in use. It imports nothing, so that Node's test runner checks it with a
// stand-in client (test/sockets.test.mjs).

/** The websocket URL of an endpoint path: the page's host, ws: or wss: after its scheme. */
export function websocketURL(endpoint, location) {
  const url = new URL(endpoint, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/**
 * One graphql-ws client for each distinct set of headers (the Headers editor's,
 * sent as connection_init's payload, so the token works as it does over HTTP),
 * disposed when its last subscription ends.
 */
export class Sockets {
  #url;
  #explain;
  #createClient;
  #clients = new Map();

  /**
   * @param {string} url
   * @param {(headers: object) => Promise<object>} explain asks over HTTP, with
   *   the same headers, why the server refused them
   * @param createClient graphql-ws's
   */
  constructor(url, explain, createClient) {
    this.#url = url;
    this.#explain = explain;
    this.#createClient = createClient;
  }

  /** How many clients are open: one per set of headers in use. */
  get size() {
    return this.#clients.size;
  }

  /** Runs one subscription; returns the function that stops it. */
  subscribe(headers, params, sink) {
    const entry = this.#entry(headers);
    entry.users++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (--entry.users === 0) this.#close(entry);
    };
    const stop = entry.client.subscribe(params, {
      next: (result) => sink.next(result),
      error: (err) => {
        release();
        sink.error(streamErrors(err));
      },
      complete: async () => {
        release();
        // A refused connection_init ends a subscription without an answer.
        if (entry.refusal) sink.next(await entry.refusal);
        sink.complete();
      },
    });
    return () => {
      stop();
      release();
    };
  }

  #entry(headers) {
    const key = JSON.stringify(Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let entry = this.#clients.get(key);
    if (entry) return entry;
    entry = { key, users: 0, refusal: null, acknowledged: false };
    entry.client = this.#createClient({
      url: this.#url,
      connectionParams: headers,
      on: {
        connecting: () => {
          entry.acknowledged = false;
        },
        connected: () => {
          entry.acknowledged = true;
        },
        closed: (event) => {
          // graphql-transport-ws has no message for a refused connection_init:
          // the server closes the socket with 4403 and a short reason, without
          // the coded error, and graphql-ws would retry. The same headers over
          // HTTP get the coded error, which the subscriptions then show.
          if (entry.acknowledged || entry.users === 0 || event?.code !== 4403 || entry.refusal) return;
          entry.refusal = this.#explain(headers).then(refusalResult, () => refusalResult(null));
          this.#close(entry);
        },
      },
    });
    this.#clients.set(key, entry);
    return entry;
  }

  #close(entry) {
    if (this.#clients.get(entry.key) === entry) this.#clients.delete(entry.key);
    // A refused socket's client rejects what waited for it; that is known.
    entry.client.dispose().catch(() => {});
  }
}

// The answer to show for refused headers: the server's errors over HTTP.
function refusalResult(answer) {
  if (answer?.errors?.length) return { errors: answer.errors };
  return { errors: [{ message: 'Máy chủ từ chối kết nối websocket với các header này.' }] };
}

// What GraphiQL shows for a stream that failed: GraphQL errors as they came,
// a closed socket by its code and reason (a CloseEvent's fields do not
// serialise).
function streamErrors(err) {
  if (Array.isArray(err)) return err;
  if (err && typeof err.code === 'number') {
    const reason = err.reason ? `: ${err.reason}` : '';
    return [{ message: `Kết nối websocket đã đóng (mã ${err.code}${reason}).` }];
  }
  return [{ message: err instanceof Error ? err.message : 'Kết nối websocket bị lỗi.' }];
}
