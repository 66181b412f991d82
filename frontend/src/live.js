// Live updates (实时推送): GET /api/events/stream read with fetch, because EventSource
// cannot send the bearer token. Reconnects with back-off; body[data-live] says the state.
import { getToken, notifyUnauthorized } from "./api.js";

const FIRST_DELAY = 1000;
const MAX_DELAY = 30_000;

/** Split one server-sent-events block into {event, data, id, retry}; comments drop out. */
export function parseBlock(block) {
  let event = "message";
  const data = [];
  let retry = null;
  let id = null;
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
    else if (field === "retry" && /^\d+$/.test(value)) retry = Number(value);
  }
  return { event, data: data.length ? data.join("\n") : null, retry, id };
}

function setState(state) {
  document.body.dataset.live = state;
}

/**
 * Follow the change stream; ``onChange(change)`` gets each {id, code, grid_code,
 * department_id, status, version, op, seq}. A reconnection sends Last-Event-ID and the
 * server replays what was missed; ``onResync()`` runs when it cannot (too much missed, or
 * nothing received yet). ``event: signed_out`` (session revoked or expired) signs out.
 * Returns a function that stops it.
 */
export function followChanges(onChange, { onResync = () => {} } = {}) {
  let stopped = false;
  let delay = FIRST_DELAY;
  let controller = null;
  let timer = null;
  let connections = 0;
  let lastId = null;

  function schedule() {
    if (stopped) return;
    setState("reconnecting");
    const wait = delay + Math.round(Math.random() * 400);
    delay = Math.min(delay * 2, MAX_DELAY);
    timer = setTimeout(connect, wait);
  }

  async function read(response) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let match;
      while ((match = /\r?\n\r?\n/.exec(buffer))) {
        const block = parseBlock(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
        if (block.retry) delay = Math.max(FIRST_DELAY, Math.min(block.retry, MAX_DELAY));
        if (block.id) lastId = block.id;
        if (block.event === "signed_out") {
          stopped = true;
          notifyUnauthorized();
          return;
        }
        if (block.event === "resync") onResync();
        if (block.event !== "change" || !block.data) continue;
        try {
          onChange(JSON.parse(block.data));
        } catch (error) {
          console.warn("live: bad change", error);
        }
      }
    }
  }

  async function connect() {
    const token = getToken();
    if (stopped || !token) return;
    controller = new AbortController();
    try {
      const headers = { Accept: "text/event-stream", Authorization: `Bearer ${token}` };
      if (lastId) headers["Last-Event-ID"] = lastId;
      const response = await fetch("/api/events/stream", {
        headers,
        cache: "no-store", signal: controller.signal,
      });
      if (response.status === 401) {
        notifyUnauthorized();
        return;
      }
      if (response.status === 403) {
        setState("off"); // no events.read: nothing to follow
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      setState("on");
      delay = FIRST_DELAY;
      connections += 1;
      if (connections > 1 && !lastId) onResync(); // with an id, the server replays
      await read(response);
    } catch (error) {
      if (stopped || error.name === "AbortError") return;
    }
    schedule();
  }

  setState("connecting");
  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
    setState("off");
  };
}
