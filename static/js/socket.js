// The tab's one live socket: builds the URL, reconnects with back-off and
// jitter, and knows what each close code asks of the browser. Push only; the
// page writes over HTTP.
//
// Live topics (messaging/topics.py: a task board, say) reach the page as
// document events, whichever script opened the socket:
//   "nabolag:topic"       a frame with a topic; event.detail is the frame, and
//                         event.detail.topic names it.
//   "nabolag:subscribed"  a "subscriptions" frame, after every (re)connect and
//                         re-check; event.detail.topics lists the topics the
//                         socket now hears. Catch up over HTTP on it: what was
//                         sent while the socket was down never comes again.
// A page that shows a topic marks an element with data-live-topics: the tab's
// socket is then the full one even where a script asked for notices only.

import { ANONYMOUS, DEACTIVATED, RECONNECT } from "./close-codes.js";

// Whether the frame was a topic's, which only the page's listeners get (a
// listener's error stays its own: dispatchEvent reports it, never throws it).
function dispatch(frame) {
  if (typeof frame?.topic === "string") {
    document.dispatchEvent(new CustomEvent("nabolag:topic", { detail: frame }));
    return true;
  }
  if (frame?.type === "subscriptions") {
    document.dispatchEvent(new CustomEvent("nabolag:subscribed", { detail: frame }));
  }
  return false;
}

// Notices only, unless the page shows a live topic (data-live-topics).
function withTopics(query) {
  if (!document.querySelector("[data-live-topics]")) return query;
  const params = new URLSearchParams(query);
  if (params.get("only") === "notices") params.delete("only");
  const rest = params.toString();
  return rest ? `?${rest}` : "";
}

// connect({ query, onOpen, onEvent, onClose, baseMs, maxMs }) opens the socket
// and keeps it open until stop(). onEvent gets each frame, decoded, but a
// topic's (those go to the page's listeners only, as above); onClose gets the
// close event and whether the socket will come back.
export function connect({
  query = "", onOpen = () => {}, onEvent = () => {}, onClose = () => {},
  baseMs = 1000, maxMs = 30000,
} = {}) {
  let socket = null;
  let attempt = 0;
  let stopped = false;
  const path = `/ws/${withTopics(query)}`;

  const open = () => {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}${path}`);
    socket.addEventListener("open", () => {
      attempt = 0;
      onOpen();
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (!dispatch(frame)) onEvent(frame);
    });
    socket.addEventListener("close", (event) => {
      if (event.code === ANONYMOUS || event.code === DEACTIVATED) stopped = true;
      // The session changed (a password change): connecting again signs in
      // afresh, once the page's new session cookie has arrived.
      if (event.code === RECONNECT) attempt = 1;
      onClose(event, { retrying: !stopped });
      if (stopped) return;
      const delay = Math.min(maxMs, baseMs * 2 ** attempt) * (0.75 + Math.random() / 2);
      attempt += 1;
      setTimeout(() => { if (!stopped) open(); }, delay);
    });
  };

  open();
  return {
    send(frame) {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
    },
    stop() {
      stopped = true;
      socket?.close();
    },
  };
}
