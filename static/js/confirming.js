/*
 * "Still confirming": ask the shop to re-check with PortOne until PortOne answers; then the
 * order's page shows what it said (paid, failed, or no payment yet).
 */
(function () {
  "use strict";

  var box = document.getElementById("confirming");
  var delay = 1000;

  function check() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (!data.confirming) {
          window.location.assign(data.url);
          return;
        }
        schedule();
      })
      .catch(schedule);
  }

  function schedule() {
    delay = Math.min(delay * 2, 30000);
    window.setTimeout(check, delay);
  }

  window.setTimeout(check, delay);
})();
