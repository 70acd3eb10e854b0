// Live changes: the viewer follows the recorded changes of the organisation
// it shows (the subscription `changes`, over server-sent events) and redraws
// when one arrives. EventSource can neither POST nor send a token, so the
// stream is read from fetch. The stream ends when its token expires or the
// server drops it; it is opened again after a pause, with the token the page
// holds then.

const subscription = `subscription Live($within: ID) { changes(within: $within) { seq } }`;

// Changes often come in bursts (a merger records one per cell moved): one
// redraw for each burst.
const settleMs = 500;
const retryMs = [2_000, 5_000, 15_000, 30_000];

export class LiveChanges {
  #endpoint;
  #token;
  #onChange;
  #controller = null;
  #timer;

  /**
   * @param endpoint the GraphQL endpoint
   * @param token returns the token to send (empty for none)
   * @param onChange called after changes arrive, once per burst
   */
  constructor(endpoint, token, onChange) {
    this.#endpoint = endpoint;
    this.#token = token;
    this.#onChange = onChange;
  }

  /** Follows the changes within an organisation's subtree, and no others. */
  follow(within) {
    this.stop();
    const controller = new AbortController();
    this.#controller = controller;
    this.#run(within, controller.signal);
  }

  stop() {
    this.#controller?.abort();
    this.#controller = null;
    clearTimeout(this.#timer);
    setState('off');
  }

  async #run(within, signal) {
    for (let attempt = 0, first = true; !signal.aborted; attempt++, first = false) {
      let received = false;
      try {
        received = await this.#stream(within, signal, first);
      } catch {
        // The network, or the server ending the stream: try again below.
      }
      if (signal.aborted) return;
      setState('waiting');
      if (received) attempt = 0;
      await sleep(retryMs[Math.min(attempt, retryMs.length - 1)], signal);
    }
  }

  // Reads one stream until it ends; tells whether any change came. A stream
  // opened again redraws once: changes may have come while none was open.
  async #stream(within, signal, first) {
    const headers = { 'Content-Type': 'application/json', Accept: 'text/event-stream' };
    const token = this.#token();
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(this.#endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: subscription, variables: { within } }),
      signal,
    });
    if (!response.ok || !response.headers.get('Content-Type')?.startsWith('text/event-stream')) return false;
    setState('following');
    if (!first) this.#changed();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let received = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return received;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event.type === 'complete') return received;
        if (event.type === 'next' && event.data?.data?.changes) {
          received = true;
          this.#changed();
        }
      }
    }
  }

  #changed() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#onChange(), settleMs);
  }
}

function parseEvent(block) {
  let type = '';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) type = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  try {
    return { type, data: data ? JSON.parse(data) : null };
  } catch {
    return { type, data: null };
  }
}

// The state of the stream, on the page's root element for tests and styles:
// "following", "waiting" (to reconnect) or "off".
function setState(state) {
  document.documentElement.dataset.live = state;
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
