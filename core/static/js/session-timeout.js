/* Warns a logged-in resident two minutes before the idle timeout and lets them stay logged in.
   The server enforces the timeout either way; this only gives people the time they need (WCAG 2.2.1). */
(function () {
  "use strict";
  var body = document.body;
  var idleSeconds = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var keepaliveUrl = body.getAttribute("data-keepalive-url");
  var dialog = document.querySelector("[data-idle-warning]");
  var stay = document.querySelector("[data-idle-stay]");
  var csrfToken = body.getAttribute("data-csrf-token") || "";
  if (!idleSeconds || !dialog || !stay || !window.fetch) { return; }
  var warnAfter = Math.max(idleSeconds - 120, 10) * 1000;
  var timer = null;
  var previousFocus = null;

  function schedule() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(warn, warnAfter);
  }

  function warn() {
    previousFocus = document.activeElement;
    dialog.hidden = false;
    stay.focus();
  }

  stay.addEventListener("click", function () {
    fetch(keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken }
    }).then(function () {
      dialog.hidden = true;
      if (previousFocus && previousFocus.focus) { previousFocus.focus(); }
      schedule();
    });
  });

  schedule();
})();
