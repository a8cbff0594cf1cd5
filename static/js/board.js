// The task board, live: a board page (#board) and a task's page (#task) hear
// the board's topic on the tab's socket (socket.js; notices.js opens it, and
// the pages' data-live-topics make it the full one). Push only, and only an
// enhancement: without this script the pages are the same, as of when they
// were loaded.
//
// A board renews itself as the server renders it: on a step newer than the
// last one it shows (data-last-step), and after every (re)connect if the
// steps it missed (data-steps-url?after=) are not none, it fetches its own
// address again and puts the new #board in place of the old; then says in its
// polite region what changed. While someone types in a form on the board it
// waits, and shows a button that shows the changes. After a swap it says
// "nabolag:board-renewed" on #board, for what draws inside it (map.js). A task's page never
// swaps its forms: when the task's version moves on it shows a notice with a
// link that reloads the page. Words come from the page (#board-strings, in
// the page's language).

const strings = document.getElementById("board-strings")?.dataset ?? {};
const announcer = document.getElementById("board-announcer");

const fmt = (template, values) =>
  (template || "").replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");

function announce(text) {
  if (!announcer || !text) return;
  // A new node each time, so the same words said twice are said again.
  const note = document.createElement("p");
  note.textContent = text;
  announcer.replaceChildren(note);
}

function topicsOf(root) {
  return new Set((root.dataset.liveTopics || "").split(/\s+/).filter(Boolean));
}

// data-live="open" once the socket's latest subscriptions frame names one of
// the page's topics, "closed" when it names none (tests wait for it).
function markLive(root, frame, topics) {
  const heard = (frame?.topics ?? []).some((topic) => topics.has(topic));
  root.dataset.live = heard ? "open" : "closed";
}

async function fetchPage(url) {
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "text/html" },
  });
  // Signed out meanwhile (the log-in page), or an error page: keep what is shown.
  if (!response.ok || response.redirected) return null;
  // A parsed document is held to this page's policy: the new page's style
  // element carries its own response's nonce, which this page's policy
  // refuses (a violation for every fetch). Only its body is read: drop it.
  const html = (await response.text()).replace(/<style\b[\s\S]*?<\/style>/gi, "");
  return new DOMParser().parseFromString(html, "text/html");
}

// Whether anything typed or chosen in a form inside ``root`` differs from
// what the page came with.
function hasUnsavedInput(root) {
  for (const field of root.querySelectorAll("input, textarea, select")) {
    if (field.type === "hidden" || field.disabled) continue;
    if (field.type === "checkbox" || field.type === "radio") {
      if (field.checked !== field.defaultChecked) return true;
    } else if (field.tagName === "SELECT") {
      if ([...field.options].some((option) => option.selected !== option.defaultSelected)) {
        return true;
      }
    } else if (field.type === "file") {
      if (field.files?.length) return true;
    } else if (field.value !== field.defaultValue) {
      return true;
    }
  }
  return false;
}

class Board {
  constructor(root) {
    this.root = root;
    // The board's topic, and for municipal staff (who hear no board's topic)
    // the topics of its agreements shared with them.
    this.topics = topicsOf(root);
    this.pending = document.getElementById("board-pending");
    this.waiting = null; // a fetched board held back while someone types
    this.busy = false;
    this.again = null; // the tasks to look at once the running refresh ends
    this.pending?.querySelector("button")?.addEventListener("click", () => this.showWaiting());
    document.addEventListener("nabolag:topic", (event) => this.onFrame(event.detail));
    document.addEventListener("nabolag:subscribed", (event) => {
      markLive(this.root, event.detail, this.topics);
      this.catchUp();
    });
  }

  get lastStep() {
    return Number(this.root.dataset.lastStep || 0);
  }

  onFrame(frame) {
    if (!this.topics.has(frame.topic) || frame.type !== "task") return;
    if (Number(frame.step) <= this.lastStep) return;
    this.refresh([Number(frame.task)]);
  }

  // What was sent while the socket was down never comes again: ask for it.
  async catchUp() {
    const url = new URL(this.root.dataset.stepsUrl, window.location.href);
    url.searchParams.set("after", String(this.lastStep));
    let steps;
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      steps = await response.json();
    } catch {
      return; // the next reconnect asks again
    }
    if (Array.isArray(steps) && steps.length) {
      this.refresh(steps.map((step) => Number(step.task)));
    }
  }

  // One refresh at a time; what comes meanwhile is folded into one more.
  async refresh(taskIds) {
    if (this.busy) {
      this.again = [...(this.again ?? []), ...taskIds];
      return;
    }
    this.busy = true;
    try {
      const doc = await fetchPage(window.location.href);
      const fresh = doc?.getElementById("board");
      if (fresh && Number(fresh.dataset.lastStep || 0) >= this.lastStep) {
        this.offer(fresh, taskIds);
      }
    } catch {
      // Offline for a moment: the next step or reconnect tries again.
    } finally {
      this.busy = false;
      const more = this.again;
      this.again = null;
      if (more) this.refresh(more);
    }
  }

  offer(fresh, taskIds) {
    if (!hasUnsavedInput(this.root)) {
      this.swap(fresh, taskIds);
      return;
    }
    const first = !this.waiting;
    const ids = [...(this.waiting?.taskIds ?? []), ...taskIds];
    this.waiting = { fresh, taskIds: ids };
    if (this.pending) this.pending.hidden = false;
    if (first) announce(strings.pending);
  }

  showWaiting() {
    if (!this.waiting) return;
    const { fresh, taskIds } = this.waiting;
    this.waiting = null;
    if (this.pending) this.pending.hidden = true;
    this.swap(fresh, taskIds);
    // The button is gone: the reader goes on from the top of the new board.
    this.focusHeading();
  }

  focusHeading() {
    const heading = this.root.querySelector("h1");
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }

  swap(fresh, taskIds) {
    const said = this.describe(fresh, taskIds);
    const active = document.activeElement;
    const focusedId = this.root.contains(active) ? active.id : null;
    const hadFocus = this.root.contains(active) && active !== this.root;
    this.root.replaceChildren(...[...fresh.childNodes].map((node) => document.importNode(node, true)));
    this.root.dataset.lastStep = fresh.dataset.lastStep || String(this.lastStep);
    // What draws inside the board draws again now (map.js: the board's map),
    // before the focus goes back to where it was.
    this.root.dispatchEvent(new CustomEvent("nabolag:board-renewed", { bubbles: true }));
    if (this.waiting) {
      this.waiting = null;
      if (this.pending) this.pending.hidden = true;
    }
    if (hadFocus) {
      const again = focusedId ? document.getElementById(focusedId) : null;
      // Where the focused element was is gone: the board's heading, rather
      // than the top of the page.
      if (again) again.focus();
      else this.focusHeading();
    }
    announce(said);
  }

  // "Task updated: <title> is now <state>", from the board the server just
  // rendered (its words, in the page's language); a task that left the dates
  // shown is named from the board as it was.
  describe(fresh, taskIds) {
    const lines = [];
    for (const id of new Set(taskIds)) {
      const card = fresh.querySelector(`#task-${id}`);
      const old = this.root.querySelector(`#task-${id}`);
      const title = (card ?? old)?.querySelector(".task-card-title a")?.textContent.trim();
      if (!title) continue;
      if (card) {
        const state = card.querySelector(".task-state")?.textContent.trim() ?? "";
        lines.push(fmt(strings.updated, { title, state }));
      } else {
        lines.push(fmt(strings.gone, { title }));
      }
    }
    if (lines.length > 3) return strings.several;
    return lines.join(" ");
  }
}

class TaskPage {
  constructor(root) {
    this.root = root;
    this.id = Number(root.dataset.task);
    this.version = Number(root.dataset.version || 0);
    this.topics = topicsOf(root);
    this.notice = document.getElementById("task-changed");
    this.told = false;
    document.addEventListener("nabolag:topic", (event) => this.onFrame(event.detail));
    document.addEventListener("nabolag:subscribed", (event) => {
      markLive(this.root, event.detail, this.topics);
      this.catchUp();
    });
  }

  onFrame(frame) {
    if (!this.topics.has(frame.topic) || frame.type !== "task") return;
    if (Number(frame.task) === this.id) this.seen(Number(frame.version));
  }

  // After a (re)connect: the task's version as its page says it now.
  async catchUp() {
    try {
      const doc = await fetchPage(this.root.dataset.url || window.location.href);
      const fresh = doc?.getElementById("task");
      if (fresh) this.seen(Number(fresh.dataset.version || 0));
    } catch {
      // The next reconnect asks again.
    }
  }

  seen(version) {
    if (!(version > this.version) || this.told) return;
    this.told = true;
    if (this.notice) this.notice.hidden = false;
    announce(strings.taskChanged);
  }
}

const board = document.getElementById("board");
const task = document.getElementById("task");
if (board?.dataset.boardTopic) new Board(board);
else if (task?.dataset.task) new TaskPage(task);
