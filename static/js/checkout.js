/*
 * The payment step. Opens Kakao Pay with the parameters the server rendered, then hands the
 * result's imp_uid to the shop, which asks PortOne itself what happened. Nothing in `rsp` is
 * proof of payment, so nothing here decides the outcome.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var button = document.getElementById("pay-button");
  var errorBox = document.getElementById("pay-error");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    button.disabled = false;
  }

  function paymentParams() {
    return JSON.parse(document.getElementById("payment-params").textContent);
  }

  function complete(rsp) {
    if (!rsp.imp_uid) {
      // Refused before a payment existed (e.g. already paid, amount not as prepared).
      showError(rsp.error_msg || "Kakao Pay could not start the payment.");
      return;
    }
    fetch(script.dataset.completeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": script.dataset.csrfToken },
      body: JSON.stringify({ imp_uid: rsp.imp_uid, merchant_uid: rsp.merchant_uid }),
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (data.redirect) {
          window.location.assign(data.redirect);
        } else {
          showError(data.error || "The payment could not be confirmed.");
        }
      })
      .catch(function () {
        // The shop could not be reached: the order page keeps checking with PortOne.
        window.location.assign(script.dataset.orderUrl);
      });
  }

  if (!window.IMP) {
    showError("Kakao Pay could not be loaded. Please check your connection and reload.");
    return;
  }
  window.IMP.init(script.dataset.impCode);
  button.addEventListener("click", function () {
    button.disabled = true;
    errorBox.hidden = true;
    window.IMP.request_pay(paymentParams(), complete);
  });
  button.disabled = false;
})();
