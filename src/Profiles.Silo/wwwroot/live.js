// Server-sent events read with fetch(), not EventSource: EventSource cannot send an Authorization header,
// so one code path serves nodes with and without API keys. The stream is parsed as the HTML standard
// describes (event, data, id and retry fields; comments; CR, LF or CRLF line ends).

import { ApiError, readProblem } from './api.js';

const MAX_DELAY_MS = 15000;
const UNAVAILABLE_DELAY_MS = 30000;

/**
 * Follows a live stream until signal aborts, reconnecting after a failure with a growing delay.
 * onState(state, message) gets 'connecting', 'connected', 'reconnecting' or 'offline'.
 * onEvent(name, data) gets each event.
 * onGone() is called, and following ends, when the stream answers 404: what it names no longer exists (erased).
 */
export async function follow({ api, url, signal, onEvent, onState, onGone }) {
  let failures = 0;
  let retryMs = 1000;
  while (!signal.aborted) {
    onState(failures === 0 ? 'connecting' : 'reconnecting');
    let wait;
    try {
      const response = await api.request(url, { signal, accept: 'text/event-stream' });
      if (response.status === 404) {
        await response.body?.cancel();
        onGone();
        return;
      }
      if (response.status === 405 || response.status === 501) {
        await response.body?.cancel();
        onState('offline', 'Live updates are not available on this node.');
        wait = UNAVAILABLE_DELAY_MS;
      } else if (!response.ok) {
        const problem = await readProblem(response);
        if (response.status === 403) {
          onState('offline', problem?.detail || 'This API key may not follow customers live.');
          return;
        }
        throw new ApiError(response.status, problem);
      } else {
        failures = 0;
        onState('connected');
        await readEvents(response.body, signal, {
          onEvent,
          onRetry: ms => { retryMs = ms; },
        });
        // The server closed the stream (a node stopping, a load balancer's timeout): reconnect at once.
        wait = 250;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status === 401) {
        onState('offline', 'No API key: live updates are off.');
        return;
      }
      failures += 1;
      wait = Math.min(retryMs * 2 ** (failures - 1), MAX_DELAY_MS);
      onState(failures >= 3 || !navigator.onLine ? 'offline' : 'reconnecting',
        navigator.onLine ? 'The connection to the node was lost; trying again.' : 'This device is offline.');
    }
    await sleep(wait + Math.random() * 250, signal);
  }
}

/** Reads one stream to its end and calls onEvent for each complete event. */
export async function readEvents(body, signal, { onEvent, onRetry }) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const abort = () => reader.cancel().catch(() => {});
  signal.addEventListener('abort', abort, { once: true });
  let buffer = '';
  let eventName = '';
  let data = [];
  const dispatch = () => {
    if (data.length > 0) onEvent(eventName || 'message', data.join('\n'));
    eventName = '';
    data = [];
  };
  const line = text => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return undefined; // a comment: a keep-alive
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') eventName = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry?.(Number(value));
    return undefined;
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
        // A lone CR at the very end may be the first half of a CRLF: wait for the next chunk.
        if (buffer[end] === '\r' && end === buffer.length - 1) break;
        const size = buffer.startsWith('\r\n', end) ? 2 : 1;
        line(buffer.slice(0, end));
        buffer = buffer.slice(end + size);
      }
    }
  } finally {
    signal.removeEventListener('abort', abort);
  }
}

function sleep(ms, signal) {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    const online = () => done();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      window.removeEventListener('online', online);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
    window.addEventListener('online', online, { once: true });
  });
}
