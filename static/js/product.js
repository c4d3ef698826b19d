/*
 * "Buy now with Kakao Pay" on a product page, for a buyer whose delivery details the shop has:
 * the shop places the order for the chosen quantity and answers with the window's parameters,
 * and Kakao Pay opens right here (over the page on a PC, full screen on a phone). Without this
 * script the same button submits the form to the checkout. Its words come translated in the
 * script tag's data attributes.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var button = document.querySelector("[data-opens-window]");
  var errorBox = document.getElementById("purchase-error");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    button.disabled = false;
  }

  function openWindow(answer) {
    if (!answer.params) {
      showError(answer.error || script.dataset.notPlaced);
      return;
    }
    window.IMP.request_pay(answer.params, function (rsp) {
      window.ShopKakaoPay.complete(rsp, {
        completeUrl: script.dataset.completeUrl,
        csrfToken: script.dataset.csrfToken,
        orderUrl: answer.order_url,
        onError: showError,
      });
    });
  }

  if (!button || !window.IMP) {
    return;
  }
  window.IMP.init(script.dataset.impCode);
  button.addEventListener("click", function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;
    window.ShopKakaoPay.ask(script.dataset.windowUrl, button.form)
      .then(openWindow)
      .catch(function () {
        showError(script.dataset.unreachable);
      });
  });
})();
