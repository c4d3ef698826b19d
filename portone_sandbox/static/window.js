/*
 * The approval window's side of the conversation with iamport.js: in the PC overlay, tell the
 * merchant page the window is open, and hand it the result. Messages go to the exact origin the
 * page declared, and carry its request_id so the page knows which request they answer.
 *
 * The overlay is a modal dialog: the merchant page shows it as one and gives it the focus; here
 * the focus goes to the window's title, Tab and Shift+Tab stay inside, and Escape cancels, as
 * the Cancel button does (on a phone's full page too).
 */
(function () {
  "use strict";

  var body = document.body;
  var form = document.querySelector("form.decision");
  var result = document.getElementById("imp-result");
  var overlay = body.classList.contains("mode-overlay") && window.parent !== window;

  function cancel() {
    form.requestSubmit(form.querySelector('button[value="cancel"]'));
  }

  if (form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      // The server keeps only the first decision anyway; this spares a second round trip.
      if (sent) {
        event.preventDefault();
      }
      sent = true;
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !event.defaultPrevented) {
        event.preventDefault();
        cancel();
      }
    });
  }

  if (!overlay) {
    return;
  }
  var origin = body.dataset.origin;
  var requestId = body.dataset.requestId;

  if (form) {
    var title = document.getElementById("sheet-title");
    // The merchant page focuses the frame once it shows the dialog: start at the title, so
    // that a screen reader reads the window from the top.
    window.addEventListener("focus", function () {
      if (!document.activeElement || document.activeElement === body) {
        title.focus();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Tab") {
        return;
      }
      var stops = Array.prototype.filter.call(
        document.querySelectorAll("button, input:not([type=hidden])"),
        function (element) {
          return !element.disabled && (element.type !== "radio" || element.checked);
        }
      );
      var first = stops[0];
      var last = stops[stops.length - 1];
      var active = document.activeElement;
      if (event.shiftKey && (active === first || active === title || active === body)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && active === last) {
        event.preventDefault();
        first.focus();
      }
    });
    // Escape pressed on the merchant page's side of the dialog.
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (
        event.source === window.parent &&
        event.origin === origin &&
        data &&
        data.source === "imp-sandbox" &&
        data.request_id === requestId &&
        data.type === "cancel"
      ) {
        cancel();
      }
    });
  }

  var message = { source: "imp-sandbox", request_id: requestId };
  if (result) {
    message.type = "result";
    message.rsp = JSON.parse(result.textContent);
  } else if (form) {
    message.type = "open";
  } else {
    return;
  }
  window.parent.postMessage(message, origin);
})();
