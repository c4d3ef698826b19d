/*
 * "Same as buyer" (the checkout's and the account's delivery details) hides the recipient's
 * fields it controls while it is ticked. Without this script they always show.
 */
(function () {
  "use strict";

  document
    .querySelectorAll('input[type="checkbox"][name="same_as_buyer"][aria-controls]')
    .forEach(function (same) {
      var recipient = document.getElementById(same.getAttribute("aria-controls"));
      if (!recipient) {
        return;
      }
      function showRecipient() {
        recipient.hidden = same.checked;
      }
      same.addEventListener("change", showRecipient);
      showRecipient();
    });
})();
