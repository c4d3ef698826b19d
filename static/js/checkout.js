/*
 * The checkout in one step: submitting the form places the order (the shop answers in JSON) and
 * opens Kakao Pay right here, over the page on a PC, full screen on a phone. From then on this
 * page's address is the order's payment page, so a reload or Back finds the same order, as a
 * cancelled or declined window does. Without this script (or Kakao Pay's) the form posts as
 * usual and the payment page opens the window. Its words come translated in the script tag's
 * data attributes.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var form = document.getElementById("checkout-form");
  var errorBox = document.getElementById("checkout-error");
  var button = form && form.querySelector("button[type=submit]");
  // The shop's answer once the order is placed: the window's parameters and the order's pages.
  var placed = null;

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    button.disabled = false;
  }

  function pay() {
    window.ShopKakaoPay.open(placed.params, {
      completeUrl: script.dataset.completeUrl,
      csrfToken: script.dataset.csrfToken,
      orderUrl: placed.order_url,
      onError: showError,
    });
  }

  function opened(answer) {
    if (answer.params) {
      placed = answer;
      window.history.replaceState(null, "", answer.pay_url);
      // The order holds these details now: pressing the button again pays it, as placed.
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field !== button) {
          field.disabled = true;
        }
      });
      pay();
    } else if (answer.errors) {
      // Sent as a plain form, the page comes back with each error under its field.
      form.submit();
    } else {
      showError(answer.error || script.dataset.notPlaced);
    }
  }

  if (!form || !window.IMP || !window.ShopKakaoPay) {
    return;
  }
  window.IMP.init(script.dataset.impCode);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;
    if (placed) {
      pay();
      return;
    }
    window.ShopKakaoPay.ask(form.action, form)
      .then(opened)
      .catch(function () {
        showError(script.dataset.unreachable);
      });
  });
  // Shown again from the browser's memory (Back) after the order was placed: its page decides.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && placed) {
      window.location.reload();
    }
  });
})();
