// Live notices on every page for signed-in people: direct messages, mentions,
// replies and marketplace alerts appear in a polite live region and bump the
// header badges. One socket per tab: on a conversation page live.js owns the
// socket and hands these frames over through window.nabolagNotices; elsewhere
// this script opens the socket itself, reconnecting with backoff.

const region = document.getElementById("live-notices");
const MAX_SHOWN = 3;

function fmt(template, values) {
  return (template || "").replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
}

function bumpBadge(link, label) {
  if (!link) return;
  let badge = link.querySelector(".badge");
  if (!badge) {
    badge = document.createElement("span");
    badge.className = "badge";
    const count = document.createElement("span");
    count.dataset.count = "";
    count.textContent = "0";
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = ` ${label}`;
    badge.append(count, hidden);
    link.append(" ", badge);
  }
  const count = badge.querySelector("[data-count]") || badge.firstChild;
  count.textContent = String((parseInt(count.textContent, 10) || 0) + 1);
}

function show(text, url) {
  const notice = document.createElement("div");
  notice.className = "live-notice";
  const link = document.createElement("a");
  link.href = url;
  link.textContent = text;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "live-notice-close";
  close.setAttribute("aria-label", region.dataset.dismiss);
  close.textContent = "×";
  close.addEventListener("click", () => notice.remove());
  notice.append(link, close);
  region.append(notice);
  while (region.children.length > MAX_SHOWN) region.firstElementChild.remove();
}

function handle(frame) {
  if (!region) return;
  if (frame.type === "notification") {
    const template = region.dataset[frame.kind] || region.dataset.direct;
    show(fmt(template, { name: frame.author }), frame.url);
    bumpBadge(document.querySelector("[data-nav=messages]"), region.dataset.unread);
  } else if (frame.type === "alert") {
    show(frame.text, frame.url);
    bumpBadge(document.querySelector("[data-nav=marketplace]"), region.dataset.new);
  }
}

window.nabolagNotices = { handle };

function connect(retry = 0) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  // Notices only: this tab is not showing a conversation.
  const socket = new WebSocket(`${scheme}://${window.location.host}/ws/?only=notices`);
  socket.addEventListener("open", () => {
    retry = 0;
    region.dataset.live = "open";
  });
  socket.addEventListener("message", (event) => {
    try { handle(JSON.parse(event.data)); } catch { /* not for us */ }
  });
  socket.addEventListener("close", (event) => {
    region.dataset.live = "closed";
    if (event.code === 4401 || event.code === 4403) return;
    if (event.code === 4001) retry = 0; // the session changed: sign in afresh
    const delay = Math.min(60000, 2000 * 2 ** retry) * (0.75 + Math.random() / 2);
    setTimeout(() => connect(retry + 1), delay);
  });
}

if (region && !document.getElementById("chat") && "WebSocket" in window) connect();
