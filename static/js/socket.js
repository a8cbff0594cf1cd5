// The tab's one live socket: builds the URL, reconnects with back-off and
// jitter, and knows what each close code asks of the browser. Push only; the
// page writes over HTTP.

import { ANONYMOUS, DEACTIVATED, RECONNECT } from "./close-codes.js";

// connect({ query, onOpen, onEvent, onClose, baseMs, maxMs }) opens the socket
// and keeps it open until stop(). onEvent gets each frame, decoded; onClose
// gets the close event and whether the socket will come back.
export function connect({
  query = "", onOpen = () => {}, onEvent = () => {}, onClose = () => {},
  baseMs = 1000, maxMs = 30000,
} = {}) {
  let socket = null;
  let attempt = 0;
  let stopped = false;

  const open = () => {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}/ws/${query}`);
    socket.addEventListener("open", () => {
      attempt = 0;
      onOpen();
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      onEvent(frame);
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
