// portalkit's pages work without this file. It adds two conveniences:
// buttons that copy a value to the clipboard, and a question before
// forms marked data-confirm are sent.
"use strict";
document.addEventListener("click", (e) => {
  const b = e.target.closest("button[data-copy]");
  if (!b) return;
  const field = document.getElementById(b.dataset.copy);
  if (!field || !navigator.clipboard) return;
  navigator.clipboard.writeText(field.value || field.textContent).then(() => {
    b.dataset.copied = "true";
    setTimeout(() => delete b.dataset.copied, 1500);
  });
});
document.addEventListener("submit", (e) => {
  const q = e.target.dataset.confirm;
  if (q && !window.confirm(q)) e.preventDefault();
});
