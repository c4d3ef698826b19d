/*
 * "Save Kakao Pay" and "Replace" on the account page. Opens Kakao Pay's window with the
 * parameters the server rendered (a customer_uid of the server's choosing, amount 0: the key
 * only), then tells the shop the window is done. The shop asks PortOne whether a key was
 * registered; nothing in `rsp` decides that. Its messages come translated, in the script tag's
 * data attributes.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var buttons = document.querySelectorAll("[data-billing-key]");
  var errorBox = document.getElementById("key-error");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    buttons.forEach(function (button) {
      button.disabled = false;
    });
  }

  function windowParams() {
    return JSON.parse(document.getElementById("billing-key-params").textContent);
  }

  function done() {
    fetch(script.dataset.completeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": script.dataset.csrfToken },
      body: "{}",
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (data.redirect) {
          window.location.assign(data.redirect);
        } else {
          showError(data.error || script.dataset.notConfirmed);
        }
      })
      .catch(function () {
        showError(script.dataset.unreachable);
      });
  }

  if (!window.IMP) {
    showError(script.dataset.notLoaded);
    return;
  }
  window.IMP.init(script.dataset.impCode);
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      buttons.forEach(function (other) {
        other.disabled = true;
      });
      errorBox.hidden = true;
      window.IMP.request_pay(windowParams(), done);
    });
    button.disabled = false;
  });
})();
