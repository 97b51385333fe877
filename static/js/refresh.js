// Keeps a panel live: every element with data-refresh-url has its content replaced by the HTML
// that URL returns, every data-refresh-seconds (default 10) while the page is visible.
// No library: fetch and innerHTML. A failed fetch keeps the last figures on screen.
(function () {
  "use strict";

  function refresh(element) {
    fetch(element.dataset.refreshUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        element.innerHTML = html;
      })
      .catch(function () {
        // Offline or logged out: leave the panel as it is and try again next time.
      });
  }

  document.querySelectorAll("[data-refresh-url]").forEach(function (element) {
    var seconds = Number(element.dataset.refreshSeconds) || 10;
    window.setInterval(function () {
      if (!document.hidden) {
        refresh(element);
      }
    }, seconds * 1000);
  });
})();
