// The phone header's menu button: it folds the menu (the main navigation, the
// language and logging in or out) away and opens it again. CSS folds the menu
// only where scripts run (static/css/nabolag.css, `scripting: enabled`), so
// without this module nothing is out of reach; on a wide screen the button is
// hidden and the menu sits in the header.

const button = document.querySelector(".menu-button[aria-controls]");
const menu = button && document.getElementById(button.getAttribute("aria-controls"));

function setOpen(open) {
  button.setAttribute("aria-expanded", String(open));
  menu.classList.toggle("is-open", open);
}

if (button && menu) {
  button.addEventListener("click", () => {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
}
