/*
 * What every page that opens Kakao Pay's window does with the result: hand its imp_uid to the
 * shop, which asks PortOne itself what happened, and go where the shop says. Nothing in `rsp`
 * is proof of payment, so nothing here decides the outcome.
 *
 *   ShopKakaoPay.complete(rsp, {completeUrl, csrfToken, orderUrl, onError})
 */
(function () {
  "use strict";

  function complete(rsp, options) {
    if (!rsp.imp_uid) {
      // Refused before a payment existed (e.g. already paid, amount not as prepared).
      options.onError(rsp.error_msg || "Kakao Pay could not start the payment.");
      return;
    }
    fetch(options.completeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": options.csrfToken },
      body: JSON.stringify({ imp_uid: rsp.imp_uid, merchant_uid: rsp.merchant_uid }),
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (data.redirect) {
          window.location.assign(data.redirect);
        } else {
          options.onError(data.error || "The payment could not be confirmed.");
        }
      })
      .catch(function () {
        // The shop could not be reached: the order page keeps checking with PortOne.
        window.location.assign(options.orderUrl);
      });
  }

  window.ShopKakaoPay = { complete: complete };
})();
