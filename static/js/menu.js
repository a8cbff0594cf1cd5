// Each chat message's actions as a menu button (the WAI-ARIA menu button
// pattern). The server renders, per message, a hidden <button> and a
// <details> holding the list of actions; without JavaScript the <details>
// opens as it is. enhanceMenu turns the pair into the button with the list
// as its menu, moving the server's own nodes (no markup is built here).
//
// Keys: Enter, Space or Down on the button open the menu on its first item,
// Up on its last; Down/Right and Up/Left move, Home and End jump, Escape
// closes and returns to the button, Tab closes and moves on.

const ITEM = "[role=menuitem]";
const BUTTON = "button.message-menu-button";
const GAP = 4; // pixels between the button and its menu
const EDGE = 8; // and between the menu and the window's edge

export function enhanceMenu(item) {
  const menu = item.querySelector(".message-menu");
  const button = menu?.querySelector(BUTTON);
  const details = menu?.querySelector(".message-menu-details");
  if (!button || !details) return;
  const list = details.querySelector(".message-menu-list");
  details.replaceWith(list);
  button.hidden = false;
  list.setAttribute("role", "menu");
  list.setAttribute("aria-labelledby", button.id);
  list.querySelectorAll(":scope > li, form").forEach((node) => node.setAttribute("role", "none"));
  list.querySelectorAll(".menu-emoji").forEach((group) => {
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", group.querySelector(".menu-label").id);
  });
  list.querySelectorAll("a, button").forEach((action) => {
    action.setAttribute("role", "menuitem");
    action.tabIndex = -1;
  });
  // Last: opening and closing take it away and put it back at the end, so an
  // enhanced message reads the same before and after its menu was used.
  list.hidden = true;
}

export class MessageMenus {
  // root: the element holding the messages; scroller: the region they
  // scroll in (a menu follows its button there, and closes when it is gone).
  constructor(root, scroller) {
    this.root = root;
    this.scroller = scroller;
    this.current = null;
    root.addEventListener("click", (event) => this.onClick(event));
    root.addEventListener("keydown", (event) => this.onKeydown(event));
    root.addEventListener("focusout", (event) => {
      if (this.current && !this.current.menu.contains(event.relatedTarget)) this.close();
    });
    document.addEventListener("click", (event) => {
      if (this.current && !this.current.menu.contains(event.target)) this.close();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.current) this.close({ focus: true });
    });
    scroller.addEventListener("scroll", () => this.place(), { passive: true });
    window.addEventListener("resize", () => this.close());
  }

  onClick(event) {
    const button = event.target.closest(BUTTON);
    if (button) {
      const wasOpen = this.current?.button === button;
      this.close();
      if (!wasOpen) this.open(button, "first");
      return;
    }
    // An action was chosen: its link or form goes ahead, the menu closes and
    // the button has the focus (the reply link then hands it to the composer).
    if (this.current && event.target.closest(ITEM)) this.close({ focus: true });
  }

  onKeydown(event) {
    const button = event.target.closest(BUTTON);
    if (button && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      this.close();
      this.open(button, event.key === "ArrowUp" ? "last" : "first");
      return;
    }
    if (!this.current || !this.current.list.contains(event.target)) return;
    const items = this.items();
    const at = items.indexOf(event.target);
    const go = (index) => items[(index + items.length) % items.length]?.focus({ preventScroll: true });
    switch (event.key) {
      case "ArrowDown":
      case "ArrowRight":
        go(at + 1);
        break;
      case "ArrowUp":
      case "ArrowLeft":
        go(at - 1);
        break;
      case "Home":
        go(0);
        break;
      case "End":
        go(items.length - 1);
        break;
      case "Escape":
        this.close({ focus: true });
        break;
      case "Tab":
        this.close();
        return;
      case " ":
        // Space chooses a link as it chooses a button.
        if (event.target.tagName !== "A") return;
        event.target.click();
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  open(button, where) {
    const menu = button.closest(".message-menu");
    const list = menu.querySelector("[role=menu]");
    if (!list) return;
    list.hidden = false;
    button.setAttribute("aria-expanded", "true");
    this.current = { menu, button, list };
    this.place();
    const items = this.items();
    (where === "last" ? items[items.length - 1] : items[0])?.focus({ preventScroll: true });
  }

  close({ focus = false } = {}) {
    if (!this.current) return;
    const { button, list } = this.current;
    this.current = null;
    list.removeAttribute("style");
    list.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (focus) button.focus();
  }

  items() {
    return [...this.current.list.querySelectorAll(ITEM)].filter((item) => !item.closest("[hidden]"));
  }

  // The menu floats in the window by its button: below it, or above where
  // there is no room below; towards the free side of the message (one's own
  // messages are on the right); within the history's width and the window.
  place() {
    if (!this.current) return;
    const { button, list } = this.current;
    const at = button.getBoundingClientRect();
    const region = this.scroller.getBoundingClientRect();
    if (at.bottom < region.top || at.top > region.bottom) {
      this.close();
      return;
    }
    const width = list.offsetWidth;
    const height = list.offsetHeight;
    const right = Math.min(region.right, document.documentElement.clientWidth);
    const leftmost = Math.max(region.left, 0);
    const viewHeight = window.innerHeight;
    let top = at.bottom + GAP;
    if (top + height > viewHeight - EDGE && at.top - GAP - height >= EDGE) {
      top = at.top - GAP - height;
    }
    top = Math.max(EDGE, Math.min(top, viewHeight - height - EDGE));
    const mine = button.closest(".is-mine") !== null;
    let left = mine ? at.right - width : at.left;
    left = Math.max(leftmost + EDGE, Math.min(left, right - width - EDGE));
    left = Math.max(EDGE, left);
    list.style.top = `${Math.round(top)}px`;
    list.style.left = `${Math.round(left)}px`;
  }
}
