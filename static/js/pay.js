/*
 * The payment page: the order's own page for paying it, where a cancelled or declined window
 * leads back to, and the checkout's next step without JavaScript there. Opens Kakao Pay with the
 * parameters the server rendered; the result goes to the shop through ShopKakaoPay (kakao-pay.js).
 * Its words come translated in the script tag's data attributes.
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

  if (!window.IMP) {
    showError(script.dataset.notLoaded);
    return;
  }
  window.IMP.init(script.dataset.impCode);
  button.addEventListener("click", function () {
    button.disabled = true;
    errorBox.hidden = true;
    window.ShopKakaoPay.open(paymentParams(), {
      completeUrl: script.dataset.completeUrl,
      csrfToken: script.dataset.csrfToken,
      orderUrl: script.dataset.orderUrl,
      onError: showError,
    });
  });
  button.disabled = false;
  // Shown again from the browser's memory (Back): the shop says whether it can still be paid.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });
})();
