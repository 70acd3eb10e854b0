// Properties of the playground's websockets (sockets.js) over random runs of
// subscriptions started and stopped, completed by the server and refused:
// `node --test web/graphiql/test/`. The seed is fixed unless DANGBO_TEST_SEED
// gives one ("random" for a new one).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Sockets, websocketURL } from '../src/sockets.js';
import { generator, seed } from '../../testseed.mjs';

// A stand-in for graphql-ws's client: it records its subscriptions, and as
// the real one, completes them when disposed.
function standIn(options) {
  const client = {
    options,
    disposed: false,
    sinks: new Set(),
    subscribe(_params, sink) {
      client.sinks.add(sink);
      return () => client.sinks.delete(sink);
    },
    async dispose() {
      client.disposed = true;
      for (const sink of [...client.sinks]) {
        client.sinks.delete(sink);
        sink.complete();
      }
    },
  };
  return client;
}

// Header sets, each written with its keys in two orders.
const headerSets = [
  [{}, {}],
  [{ Authorization: 'Bearer a' }, { Authorization: 'Bearer a' }],
  [
    { Authorization: 'Bearer b', 'X-Request-Id': 'r' },
    { 'X-Request-Id': 'r', Authorization: 'Bearer b' },
  ],
];
const refusal = { errors: [{ message: 'Token đã hết hạn.', extensions: { code: 'UNAUTHENTICATED' } }] };

test('one open client per set of headers in use, each sending those headers; a refusal answers with the coded error', async () => {
  const random = generator(seed);
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const clients = [];
  const sockets = new Sockets('ws://127.0.0.1/graphql', async () => refusal, (options) => {
    const c = standIn(options);
    clients.push(c);
    return c;
  });
  const running = []; // { set, stop, results, done }
  for (let step = 0; step < 400; step++) {
    const r = random();
    if (r < 0.45 || running.length === 0) {
      const set = Math.floor(random() * headerSets.length);
      const run = { set, results: [], done: false };
      run.stop = sockets.subscribe(pick(headerSets[set]), { query: 'subscription { changes { seq } }' }, {
        next: (result) => run.results.push(result),
        error: (err) => assert.fail(`error ${JSON.stringify(err)}`),
        complete: () => (run.done = true),
      });
      running.push(run);
    } else if (r < 0.75) {
      const run = running.splice(Math.floor(random() * running.length), 1)[0];
      run.stop();
    } else if (r < 0.9) {
      // The server completes one stream.
      const live = clients.filter((c) => !c.disposed && c.sinks.size > 0);
      if (live.length === 0) continue;
      const sink = pick([...pick(live).sinks]);
      sink.complete();
    } else {
      // The server refuses a client's next connection_init.
      const live = clients.filter((c) => !c.disposed);
      if (live.length === 0) continue;
      const c = pick(live);
      const refused = running.filter((run) => clientOf(run) === c);
      c.options.on.connecting();
      c.options.on.closed({ code: 4403, reason: 'Token đã hết hạn.' });
      await new Promise((resolve) => setTimeout(resolve, 0));
      for (const run of refused) {
        assert.ok(run.done, 'a refused subscription ends');
        assert.deepEqual(run.results.at(-1), refusal, 'with the coded error');
      }
    }
    for (let i = running.length - 1; i >= 0; i--) if (running[i].done) running.splice(i, 1);

    const inUse = new Set(running.map((run) => run.set));
    const open = clients.filter((c) => !c.disposed);
    assert.equal(open.length, inUse.size, `step ${step}: open clients`);
    assert.equal(sockets.size, inUse.size, `step ${step}: clients kept`);
    for (const c of open) {
      const sets = headerSets.filter(([h]) => sameHeaders(h, c.options.connectionParams));
      assert.equal(sets.length, 1, `step ${step}: a client sends one set of headers`);
    }
  }

  function clientOf(run) {
    return clients.find((c) => !c.disposed && sameHeaders(c.options.connectionParams, headerSets[run.set][0]));
  }
});

function sameHeaders(a, b) {
  const sorted = (h) => JSON.stringify(Object.entries(h).sort());
  return sorted(a) === sorted(b);
}

test('the websocket URL follows the page: ws: or wss:, its host and port', () => {
  assert.equal(websocketURL('/graphql', new URL('http://127.0.0.1:8080/')), 'ws://127.0.0.1:8080/graphql');
  assert.equal(websocketURL('/graphql', new URL('https://dangbo.example/x/')), 'wss://dangbo.example/graphql');
  assert.equal(websocketURL('api', new URL('https://dangbo.example/x/')), 'wss://dangbo.example/x/api');
});
