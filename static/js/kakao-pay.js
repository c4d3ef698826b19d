/*
 * What every page that opens Kakao Pay's window does with the result: hand its imp_uid to the
 * shop, which asks PortOne itself what happened, and go where the shop says. Nothing in `rsp`
 * is proof of payment, so nothing here decides the outcome; meanwhile the page says that the
 * payment is being confirmed.
 *
 *   ShopKakaoPay.open(params, {completeUrl, csrfToken, orderUrl, onError})
 *   ShopKakaoPay.complete(rsp, options)   for a page that calls IMP.request_pay itself
 *   ShopKakaoPay.ask(url, form)           the shop's JSON answer to a form posted by script
 *
 * Its words come translated in the script tag's data attributes (templates/_kakao_pay.html).
 */
(function () {
  "use strict";

  var words = document.currentScript.dataset;

  // A live region made when the page loads, so that what is written into it later is read out.
  var progress = document.createElement("div");
  var title = document.createElement("p");
  var note = document.createElement("p");
  progress.className = "payment-progress";
  progress.setAttribute("role", "status");
  progress.setAttribute("aria-live", "polite");
  title.className = "payment-progress-title";
  note.className = "payment-progress-note";
  progress.append(title, note);
  document.body.append(progress);

  function showProgress(heading, text) {
    title.textContent = heading;
    note.textContent = text;
    progress.classList.add("is-active");
  }

  function hideProgress() {
    progress.classList.remove("is-active");
    title.textContent = "";
    note.textContent = "";
  }

  function approved(rsp) {
    // PortOne's current SDK says `success`; older ones `imp_success`. Only the wording depends
    // on it: the shop decides from PortOne's own record.
    return "success" in rsp ? rsp.success === true : rsp.imp_success === true;
  }

  function complete(rsp, options) {
    if (!rsp.imp_uid) {
      // Refused before a payment existed (e.g. already paid, amount not as prepared).
      options.onError(rsp.error_msg || words.notStarted);
      return;
    }
    if (approved(rsp)) {
      showProgress(words.confirmingTitle, words.confirmingNote);
    } else {
      showProgress(words.returningTitle, words.returningNote);
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
          hideProgress();
          options.onError(data.error || words.notConfirmed);
        }
      })
      .catch(function () {
        // The shop could not be reached: the order page keeps checking with PortOne.
        window.location.assign(options.orderUrl);
      });
  }

  function open(params, options) {
    window.IMP.request_pay(params, function (rsp) {
      complete(rsp, options);
    });
  }

  // A form that opens the window, posted by script: the shop answers with JSON (the window's
  // params, or an error) where the form alone would get a page.
  function ask(url, form) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: new FormData(form),
    }).then(function (response) {
      return response.json();
    });
  }

  window.ShopKakaoPay = { open: open, complete: complete, ask: ask };
})();
