// Print buttons ([data-print]) open the browser's print dialog; a file, not inline, so the
// Content-Security-Policy (script-src 'self') allows it.
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
