// The conversation page, live: one socket per tab (socket.js), push only.
// Writes go over HTTP. Keeps the last sequence number seen; on every
// (re)connect it fetches what came after it before applying live events, and
// while the socket is down it polls with backoff and says so in the page.
// Messages arrive as the server renders them (templates/messaging/includes/
// message.html); this script only shows its reader's own tools in them, and
// places them as the page does: under a day separator where a day begins, and
// in the group of the message before when the same person sent it just before
// (templatetags/chat.py has the same rules). Each message's actions are a
// menu (menu.js).

import { MessageMenus, enhanceMenu } from "./menu.js";
import { handleNotice } from "./notices.js";
import { connect } from "./socket.js";

const chat = document.getElementById("chat");
const strings = document.getElementById("strings")?.dataset ?? {};

const fmt = (template, values) =>
  template.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");

// The cookie first: signing in again in another tab renews it, and the page's
// form would then carry a stale token.
function csrfToken() {
  const cookie = document.cookie.split("; ").find((pair) => pair.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function newClientId() {
  if (window.crypto?.randomUUID) return crypto.randomUUID().replace(/-/g, "");
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
}

// What the composer says when the server refuses a message: the server's own
// words (translated, {"detail": "..."}), or the page's for answers that carry
// none people can read (a validation list, signed out, an error page).
function refusal(status, data) {
  if (status === 401) return strings.signedOut;
  if (status === 422 || Array.isArray(data?.detail)) return strings.invalid;
  if (typeof data?.detail === "string" && data.detail && status < 500) return data.detail;
  return status >= 500 ? strings.sendFailed : strings.notSent;
}

async function api(method, path, body) {
  const response = await fetch(chat.dataset.api + path, {
    method,
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      "X-CSRFToken": csrfToken(),
      Accept: "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  return { status: response.status, ok: response.ok, data };
}

class Conversation {
  constructor(root) {
    this.root = root;
    this.id = Number(root.dataset.conversation);
    this.userId = Number(root.dataset.user);
    this.lastSeq = Number(root.dataset.lastSeq || 0);
    this.list = document.getElementById("message-list");
    this.scroller = document.getElementById("chat-history");
    this.dayTemplate = document.getElementById("day-separator");
    this.timeZone = root.dataset.timeZone || undefined;
    this.groupSeconds = Number(root.dataset.groupSeconds || 300);
    this.announcer = document.getElementById("announcer");
    this.typingNote = document.getElementById("typing");
    this.presenceNote = document.getElementById("presence");
    this.present = new Map();
    this.canWrite = strings.canWrite === "1";
    this.readTimer = null;
    // Before the composer's listeners: a chosen action closes its menu first.
    this.menus = new MessageMenus(this.list, this.scroller);
    this.list.querySelectorAll("li.chat-message").forEach(enhanceMenu);
    this.followEnd();
  }

  // --- catch-up and applying changes ----------------------------------------

  async catchUp() {
    let more = true;
    while (more) {
      const { ok, data } = await api(
        "GET", `conversations/${this.id}/messages?after=${this.lastSeq}&limit=200`);
      if (!ok) throw new Error("catch-up failed");
      data.messages.forEach((message) => this.apply(message, { announce: true }));
      more = data.more;
    }
  }

  apply(message, { announce = false } = {}) {
    const existing = document.getElementById(`m-${message.id}`);
    if (existing && Number(existing.dataset.seq) >= message.seq) return;
    const element = this.render(message);
    if (existing) {
      const focused = existing.contains(document.activeElement);
      existing.replaceWith(element);
      this.place(element);
      if (focused) this.refocus(element);
    } else {
      const messages = [...this.list.querySelectorAll(":scope > li.chat-message")];
      // A change to a message older than the page shows: nothing to update.
      if (messages.length && message.id < Number(messages[0].dataset.id)) {
        this.lastSeq = Math.max(this.lastSeq, message.seq);
        return;
      }
      document.getElementById("empty-note")?.remove();
      const follow = this.pinned || message.author?.id === this.userId;
      let later = messages.find((li) => Number(li.dataset.id) > message.id) ?? null;
      // A later message that begins another day keeps its separator.
      const before = later?.previousElementSibling;
      if (before?.classList.contains("day-separator") && before.dataset.day !== element.dataset.day) {
        later = before;
      }
      this.list.insertBefore(element, later);
      this.place(element);
      if (follow) this.scrollToEnd();
      if (message.author) this.stopTyping(message.author.id);
      if (announce && message.author?.id !== this.userId && !message.removed) {
        this.announce(message);
      }
      this.scheduleRead(message.id);
    }
    this.lastSeq = Math.max(this.lastSeq, message.seq);
  }

  announce(message) {
    const text = message.body.length > 140 ? `${message.body.slice(0, 140)}…` : message.body;
    const note = document.createElement("p");
    note.textContent = fmt(strings.newMessage, { name: message.author?.name ?? "", text });
    this.announcer.append(note);
    while (this.announcer.childElementCount > 3) this.announcer.firstElementChild.remove();
  }

  scheduleRead(messageId) {
    if (document.visibilityState !== "visible") return;
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => {
      api("POST", `conversations/${this.id}/read`, { up_to: messageId }).catch(() => {});
    }, 800);
  }

  // --- where a message goes: its day, its group ------------------------------

  place(item) {
    this.ensureDay(item);
    this.group(item);
    const next = item.nextElementSibling;
    if (next?.classList.contains("chat-message")) this.group(next);
  }

  // A message joins the group of the one right before it (not after a day
  // separator or a note) when the same person sent it within groupSeconds.
  group(item) {
    const before = item.previousElementSibling;
    const gap = Number(item.dataset.at) - Number(before?.dataset.at);
    const joins = Boolean(before?.classList.contains("chat-message"))
      && item.dataset.author !== ""
      && before.dataset.author === item.dataset.author
      && before.dataset.day === item.dataset.day
      && gap >= 0 && gap <= this.groupSeconds;
    item.toggleAttribute("data-continued", joins);
  }

  ensureDay(item) {
    const day = item.dataset.day;
    if (!day) return;
    let before = item.previousElementSibling;
    while (before && !before.dataset.day) before = before.previousElementSibling;
    if (before?.dataset.day === day) return;
    const separator = this.dayTemplate.content.firstElementChild.cloneNode(true);
    separator.dataset.day = day;
    separator.querySelector("time").dateTime = day;
    item.before(separator);
    this.labelDays();
  }

  // Today's and yesterday's separators say so, also once the page has stayed
  // open past midnight; older days as the server wrote them, or (a day the
  // page did not show) as the browser writes the date in the page's language.
  labelDays() {
    const today = this.dayKey(new Date());
    const [y, m, d] = today.split("-").map(Number);
    const yesterday = new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
    const relative = new Set([strings.today, strings.yesterday]);
    this.list.querySelectorAll(":scope > .day-separator").forEach((separator) => {
      const time = separator.querySelector("time");
      const key = separator.dataset.day;
      if (key === today) time.textContent = strings.today;
      else if (key === yesterday) time.textContent = strings.yesterday;
      else if (relative.has(time.textContent) || !time.textContent) time.textContent = this.dateShown(key, y);
    });
  }

  // YYYY-MM-DD of a moment in the server's time zone (the messages' data-day).
  dayKey(moment) {
    const options = { year: "numeric", month: "2-digit", day: "2-digit" };
    let format;
    try {
      format = new Intl.DateTimeFormat("en-CA", { ...options, timeZone: this.timeZone });
    } catch {
      format = new Intl.DateTimeFormat("en-CA", options);
    }
    const parts = Object.fromEntries(format.formatToParts(moment).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  }

  dateShown(key, thisYear) {
    const [y, m, d] = key.split("-").map(Number);
    const options = { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" };
    if (y !== thisYear) options.year = "numeric";
    return new Intl.DateTimeFormat(document.documentElement.lang, options)
      .format(new Date(Date.UTC(y, m - 1, d, 12)));
  }

  // --- scrolling --------------------------------------------------------------

  // The history stays at its end while one reads there: when a message comes,
  // and when messages grow (an emoji font arriving, a reaction) or the region
  // shrinks (a notice above it); not while one reads further up.
  followEnd() {
    this.pinned = true;
    this.scroller.addEventListener("scroll", () => { this.pinned = this.atEnd(); }, { passive: true });
    if (!window.ResizeObserver) return;
    const observer = new ResizeObserver(() => { if (this.pinned) this.scrollToEnd(); });
    observer.observe(this.list);
    observer.observe(this.scroller);
  }

  atEnd() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  scrollToEnd() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  // The message someone acted on was rendered anew: the focus goes back to
  // its menu button (or, a message removed, to the history).
  refocus(item) {
    const button = item.querySelector("button.message-menu-button:not([hidden])");
    (button ?? this.scroller).focus();
  }

  // --- the server's HTML, shown for this reader -------------------------------

  render(m) {
    const lang = document.documentElement.lang;
    const html = m.rendered[lang] ?? Object.values(m.rendered)[0];
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const item = this.personalise(template.content.firstElementChild);
    enhanceMenu(item);
    return item;
  }

  // What the page renders for its reader (is-mine, the author's and the
  // writers' tools, their own reactions, the form token), by the same rules
  // as the partial: a live event's HTML is the same for every reader.
  personalise(item) {
    const mine = item.dataset.author !== "" && Number(item.dataset.author) === this.userId;
    item.classList.toggle("is-mine", mine);
    item.querySelectorAll("[data-author-only]").forEach((node) => { node.hidden = !mine; });
    item.querySelectorAll("[data-others-only]").forEach((node) => { node.hidden = mine; });
    item.querySelectorAll("[data-write-only]").forEach((node) => { node.hidden = !this.canWrite; });
    item.querySelectorAll("button[data-users]").forEach((button) => {
      const users = button.dataset.users.split(" ").map(Number);
      button.setAttribute("aria-pressed", String(users.includes(this.userId)));
    });
    const token = csrfToken();
    item.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach((input) => { input.value = token; });
    return item;
  }

  // --- ephemeral: typing and presence ----------------------------------------

  showTyping(user) {
    if (user.id === this.userId || !this.typingNote) return;
    this.typingNote.textContent = fmt(strings.typing, { name: user.name });
    this.typingUser = user.id;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(user.id), 4000);
  }

  // Their message is here: they are no longer writing it.
  stopTyping(userId) {
    if (this.typingUser !== userId || !this.typingNote) return;
    clearTimeout(this.typingTimer);
    this.typingNote.textContent = "";
    this.typingUser = null;
  }

  showPresence(user, state) {
    if (state === "away") this.present.delete(user.id);
    else this.present.set(user.id, { name: user.name, until: Date.now() + 45000 });
    const now = Date.now();
    for (const [id, entry] of this.present) if (entry.until < now) this.present.delete(id);
    const names = [...this.present.values()].map((entry) => entry.name).sort();
    this.presenceNote.hidden = names.length === 0;
    this.presenceNote.textContent = fmt(strings.here, { names: names.join(", ") });
  }
}

class Live {
  constructor(conversation) {
    this.conversation = conversation;
    this.socket = null;
    this.queue = null; // live events held back while catching up
    this.pollTimer = null;
    this.status = document.getElementById("live-status");
    this.everConnected = false;
  }

  setStatus(text) {
    this.status.hidden = !text;
    this.status.textContent = text || "";
  }

  connect() {
    this.queue = [];
    this.socket = connect({
      onOpen: () => this.onOpen(),
      onEvent: (frame) => this.onFrame(frame),
      onClose: (_event, { retrying }) => this.onClose(retrying),
    });
  }

  async onOpen() {
    this.stopPolling();
    this.conversation.root.dataset.live = "open";
    try {
      await this.conversation.catchUp();
    } catch {
      // The socket is up; the next reconnect or poll catches up.
    }
    const held = this.queue || [];
    this.queue = null;
    held.forEach((frame) => this.handle(frame));
    this.setStatus(this.everConnected ? strings.back : "");
    if (this.everConnected) setTimeout(() => this.setStatus(""), 4000);
    this.everConnected = true;
    this.sendPresence("here");
  }

  onFrame(frame) {
    if (this.queue) this.queue.push(frame);
    else this.handle(frame);
  }

  handle(frame) {
    const c = this.conversation;
    switch (frame.type) {
      case "message.new":
      case "message.edited":
      case "message.removed":
      case "message.visibility":
      case "message.reactions":
        if (frame.message.conversation === c.id) c.apply(frame.message, { announce: true });
        break;
      case "typing":
        if (frame.conversation === c.id) c.showTyping(frame.user);
        break;
      case "presence":
        if (frame.conversation === c.id) c.showPresence(frame.user, frame.state);
        break;
      case "subscriptions":
        if (!frame.conversations.includes(c.id)) {
          this.socket.stop();
          this.stopPolling();
          this.setStatus(strings.offline);
        }
        break;
      case "conversation.changed":
        if (frame.conversation.id === c.id && frame.conversation.archived) {
          document.getElementById("composer")?.setAttribute("hidden", "");
        }
        break;
      case "notification":
        // The message is on screen already when it belongs to this conversation.
        if (frame.conversation !== c.id) handleNotice(frame);
        break;
      default:
        handleNotice(frame);
        break;
    }
  }

  onClose(retrying) {
    this.conversation.root.dataset.live = "closed";
    this.queue = [];
    this.setStatus(strings.offline);
    if (retrying) this.startPolling();
  }

  startPolling() {
    if (this.pollTimer) return;
    let wait = 2000;
    const poll = async () => {
      try { await this.conversation.catchUp(); } catch { /* try again later */ }
      wait = Math.min(wait * 2, 30000);
      this.pollTimer = setTimeout(poll, wait);
    };
    this.pollTimer = setTimeout(poll, wait);
  }

  stopPolling() {
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  send(frame) {
    this.socket?.send(frame);
  }

  sendPresence(state) {
    this.send({ type: "presence", conversation: this.conversation.id, state });
  }
}

function enhanceComposer(live, conversation) {
  const form = document.getElementById("composer");
  if (!form) return;
  const textarea = form.querySelector("textarea");
  const clientId = form.querySelector("input[name=client_id]");
  const replyTo = form.querySelector("input[name=reply_to]");
  const error = document.createElement("p");
  error.setAttribute("role", "alert");
  error.className = "form-error";
  (form.querySelector(".composer-row") ?? textarea).after(error);
  let lastTyping = 0;

  textarea.addEventListener("input", () => {
    const now = Date.now();
    if (now - lastTyping > 3000) {
      lastTyping = now;
      live.send({ type: "typing", conversation: conversation.id });
    }
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });

  const submit = async (attempt = 0) => {
    const payload = { body: textarea.value, client_id: clientId.value,
      reply_to: replyTo?.value ? Number(replyTo.value) : null };
    try {
      const { ok, status, data } = await api("POST", `conversations/${conversation.id}/messages`, payload);
      if (!ok) {
        error.textContent = refusal(status, data);
        return status >= 500 && attempt < 5
          ? setTimeout(() => submit(attempt + 1), 1000 * 2 ** attempt) : undefined;
      }
      conversation.apply(data);
      textarea.value = "";
      error.textContent = "";
      clientId.value = newClientId();
      if (replyTo) replyTo.value = "";
      document.getElementById("replying")?.remove();
      textarea.focus();
    } catch {
      // Network down: keep the text and retry with the same client id, so the
      // server never stores it twice.
      error.textContent = strings.sendFailed;
      if (attempt < 5) setTimeout(() => submit(attempt + 1), 1000 * 2 ** attempt);
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (textarea.value.trim()) submit();
  });

  conversation.list.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-reply]");
    if (!link || !replyTo) return;
    event.preventDefault();
    replyTo.value = link.dataset.reply;
    document.getElementById("replying")?.remove();
    const note = document.createElement("p");
    note.id = "replying";
    note.className = "reply-ref";
    note.textContent = fmt(strings.replyTo, { name: link.dataset.replyName });
    form.prepend(note);
    textarea.focus();
  });
}

function enhanceMessageForms(conversation) {
  conversation.list.addEventListener("submit", async (event) => {
    const form = event.target;
    const item = form.closest("li.chat-message");
    if (!item) return;
    const id = item.dataset.id;
    let request;
    if (form.action.includes("/react/")) {
      request = api("POST", `messages/${id}/reactions`, { emoji: form.elements.emoji.value });
    } else if (form.action.includes("/remove/")) {
      request = api("DELETE", `messages/${id}`);
    } else {
      return;
    }
    event.preventDefault();
    const { ok, data } = await request.catch(() => ({ ok: false, data: {} }));
    if (ok) conversation.apply(data);
    else form.submit(); // fall back to the plain form post
  });
}

// The chat fills the window below what comes before it (the site's header, a
// notice): the history scrolls and the composer stays at the bottom
// (static/css/chat.css reads --chat-top).
function fitChat(root) {
  const fit = () => {
    const top = Math.max(0, Math.round(root.getBoundingClientRect().top + window.scrollY));
    if (root.style.getPropertyValue("--chat-top") !== `${top}px`) {
      root.style.setProperty("--chat-top", `${top}px`);
    }
  };
  fit();
  const header = document.querySelector(".site-header");
  if (header && window.ResizeObserver) new ResizeObserver(fit).observe(header);
  window.addEventListener("resize", fit);
}

if (chat) {
  const conversation = new Conversation(chat);
  const live = new Live(conversation);
  enhanceComposer(live, conversation);
  enhanceMessageForms(conversation);
  live.connect();
  setInterval(() => { if (document.visibilityState === "visible") live.sendPresence("here"); }, 30000);
  window.addEventListener("pagehide", () => live.sendPresence("away"));
  fitChat(chat);
  conversation.scrollToEnd();
}
