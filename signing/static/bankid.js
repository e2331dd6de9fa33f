/* BankID status page: collect every 2 seconds and refresh the animated QR code every second.
   Progressive enhancement only: without this script the Continue button does the same one step at a time. */
(function () {
  "use strict";
  var root = document.querySelector("[data-bankid-order]");
  if (!root || !window.fetch) { return; }
  var collectUrl = root.getAttribute("data-collect-url");
  var qrUrl = root.getAttribute("data-qr-url");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var message = root.querySelector("[data-bankid-message]");
  var qrImage = root.querySelector("[data-bankid-qr]");
  var qrFigure = root.querySelector("[data-bankid-qr-figure]");
  var continueHint = root.querySelector("[data-bankid-continue-hint]");
  var frame = 0;
  var stopped = false;
  var qrTimer = null;

  if (continueHint) { continueHint.hidden = true; }

  function refreshQr() {
    if (!qrImage || stopped) { return; }
    frame += 1;
    qrImage.src = qrUrl + "?frame=" + frame;
  }

  function stop() {
    stopped = true;
    if (qrTimer) { window.clearInterval(qrTimer); }
  }

  function show(status) {
    if (message && status.message && message.textContent !== status.message) {
      message.textContent = status.message;
    }
    if (qrFigure && !status.showQr) {
      qrFigure.hidden = true;
      if (qrTimer) { window.clearInterval(qrTimer); qrTimer = null; }
    }
    if (status.retryable) {
      stop();
      // Reload so the page offers "Try again" from the server-rendered markup.
      window.location.reload();
    }
  }

  function collect() {
    if (stopped) { return; }
    fetch(collectUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": tokenMeta ? tokenMeta.content : "" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (status) {
      if (status.redirect) { stop(); window.location.assign(status.redirect); return; }
      show(status);
      window.setTimeout(collect, 2000);
    }).catch(function () {
      // A network hiccup: keep trying at BankID's pace; the server decides when the order has expired.
      window.setTimeout(collect, 2000);
    });
  }

  if (qrImage) { qrTimer = window.setInterval(refreshQr, 1000); }
  window.setTimeout(collect, 2000);
})();
