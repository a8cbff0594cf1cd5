// An organiser's "Remove …" link opens a confirmation <dialog> instead of the
// confirmation page it leads to without JavaScript. The dialog is the server's
// (templates/communities/members.html); the link carries its question and its
// button's words, so nothing is built here. The dialog's form posts to the
// link's address, which is the page's own POST; Cancel and Escape close it and
// return the focus to the link.

const dialog = document.getElementById("remove-dialog");

function open(link) {
  const form = dialog.querySelector("form");
  form.action = link.href;
  dialog.querySelector(".remove-dialog-title").textContent = link.dataset.removeQuestion;
  form.querySelector("button[type=submit]").textContent = link.dataset.removeConfirm;
  dialog.returnFocus = link;
  dialog.showModal();
}

if (dialog && typeof dialog.showModal === "function") {
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-remove-question]");
    if (!link) return;
    event.preventDefault();
    open(link);
  });
  dialog.querySelector("[data-command=close]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.returnFocus?.focus());
}
