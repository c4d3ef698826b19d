/*
 * "Subscribe" on the plans page: the shop starts the subscription and answers with the window's
 * parameters (the first charge's amount and a customer_uid of the server's choosing), and Kakao
 * Pay opens right here (over the page on a PC, full screen on a phone) to take the first charge
 * and save the billing key. The result goes back to the shop, which asks PortOne what happened.
 * Its words come translated in the script tag's data attributes.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var buttons = document.querySelectorAll("[data-subscribe]");
  var errorBox = document.getElementById("subscribe-error");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    buttons.forEach(function (button) {
      button.disabled = false;
    });
  }

  function openWindow(answer) {
    if (!answer.params) {
      showError(answer.error || script.dataset.notStarted);
      return;
    }
    window.IMP.request_pay(answer.params, function (rsp) {
      window.ShopKakaoPay.complete(rsp, {
        completeUrl: script.dataset.completeUrl,
        csrfToken: script.dataset.csrfToken,
        orderUrl: script.dataset.accountUrl,
        onError: showError,
      });
    });
  }

  if (!buttons.length) {
    return;
  }
  if (!window.IMP) {
    showError(script.dataset.notLoaded);
    return;
  }
  window.IMP.init(script.dataset.impCode);
  buttons.forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      buttons.forEach(function (other) {
        other.disabled = true;
      });
      errorBox.hidden = true;
      window.ShopKakaoPay.ask(button.form.action, button.form)
        .then(openWindow)
        .catch(function () {
          showError(script.dataset.unreachable);
        });
    });
    button.disabled = false;
  });
})();
