// Live notices on every page for signed-in people: direct messages, mentions,
// replies and marketplace alerts appear in a polite live region and bump the
// header badges (templates/includes/badge.html). One socket per tab: on a
// conversation page live.js owns it and passes these frames to handleNotice;
// elsewhere this module opens a notices-only socket itself.

import { connect } from "./socket.js";

const region = document.getElementById("live-notices");
const MAX_SHOWN = 3;

function fmt(template, values) {
  return (template || "").replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
}

// The header renders every badge, hidden at zero: a notice only counts up.
function bumpBadge(name) {
  const badge = document.querySelector(`[data-badge="${name}"]`);
  if (!badge) return;
  const count = badge.querySelector("[data-count]");
  const next = String((parseInt(count.dataset.count, 10) || 0) + 1);
  count.dataset.count = next; // the design system's badge draws this
  count.firstElementChild.textContent = next; // screen readers read this
  // Past one, the label's plural form (Danish, Norwegian, Dutch and English
  // have one form for one and one for every other count).
  const label = badge.querySelector("[data-label-many]");
  if (label && next !== "1") label.textContent = label.dataset.labelMany;
  badge.hidden = false;
}

function show(text, url) {
  const notice = region.querySelector("template").content.firstElementChild.cloneNode(true);
  const link = notice.querySelector("a");
  link.href = url;
  link.textContent = text;
  notice.querySelector("button").addEventListener("click", () => notice.remove());
  region.append(notice);
  while (region.querySelectorAll(".live-notice").length > MAX_SHOWN) {
    region.querySelector(".live-notice").remove();
  }
}

export function handleNotice(frame) {
  if (!region) return;
  if (frame.type === "notification") {
    const template = region.dataset[frame.kind] || region.dataset.direct;
    show(fmt(template, { name: frame.author }), frame.url);
    bumpBadge("messages");
  } else if (frame.type === "alert") {
    show(frame.text, frame.url);
    bumpBadge("alerts");
  }
}

if (region && !document.getElementById("chat") && "WebSocket" in window) {
  connect({
    query: "?only=notices", // this tab shows no conversation
    baseMs: 2000,
    maxMs: 60000,
    onOpen: () => { region.dataset.live = "open"; },
    onClose: () => { region.dataset.live = "closed"; },
    onEvent: handleNotice,
  });
}
