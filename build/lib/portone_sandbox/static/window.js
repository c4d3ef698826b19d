/*
 * The approval window's side of the conversation with iamport.js: in the PC overlay, tell the
 * merchant page the window is open, and hand it the result. Messages go to the exact origin the
 * page declared, and carry its request_id so the page knows which request they answer.
 */
(function () {
  "use strict";

  var body = document.body;
  var form = document.querySelector("form.decision");
  var result = document.getElementById("imp-result");

  if (form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      // The server keeps only the first decision anyway; this spares a second round trip.
      if (sent) {
        event.preventDefault();
      }
      sent = true;
    });
  }

  if (!body.classList.contains("mode-overlay") || window.parent === window) {
    return;
  }
  var message = { source: "imp-sandbox", request_id: body.dataset.requestId };
  if (result) {
    message.type = "result";
    message.rsp = JSON.parse(result.textContent);
  } else if (form) {
    message.type = "open";
  } else {
    return;
  }
  window.parent.postMessage(message, body.dataset.origin);
})();
