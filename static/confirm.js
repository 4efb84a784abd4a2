// Destructive buttons ask first: a form with data-confirm submits only when the user agrees.
// A native dialog, so it works from the keyboard and with screen readers; without script the
// form submits as before (every such action can be undone by the official).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
