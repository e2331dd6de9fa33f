/* "Listen": reads the main content aloud with the browser's own speech synthesis (no external service).
   The button stays hidden where the browser cannot speak, so nobody is offered something that does nothing. */
(function () {
  "use strict";
  var button = document.querySelector("[data-listen]");
  var status = document.querySelector("[data-listen-status]");
  var main = document.getElementById("main-content");
  if (!button || !main || !("speechSynthesis" in window) || !("SpeechSynthesisUtterance" in window)) { return; }
  var speaking = false;

  function announce(text) { if (status) { status.textContent = text; } }

  function setSpeaking(value) {
    speaking = value;
    button.textContent = button.getAttribute(value ? "data-label-stop" : "data-label-start");
    button.setAttribute("aria-pressed", value ? "true" : "false");
  }

  button.hidden = false;
  button.setAttribute("aria-pressed", "false");
  button.addEventListener("click", function () {
    if (speaking) {
      window.speechSynthesis.cancel();
      setSpeaking(false);
      announce(button.getAttribute("data-status-stop"));
      return;
    }
    var utterance = new window.SpeechSynthesisUtterance(main.innerText);
    utterance.lang = document.documentElement.lang || "sv";
    utterance.onend = function () { setSpeaking(false); };
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
    setSpeaking(true);
    announce(button.getAttribute("data-status-start"));
  });
})();
