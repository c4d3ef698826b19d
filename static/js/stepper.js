/*
 * The quantity stepper on a product page: − and + around the number, kept within the input's
 * own min and max. The buttons stay hidden without this script, and the number is typed.
 */
(function () {
  "use strict";

  document.querySelectorAll(".stepper").forEach(function (stepper) {
    var input = stepper.querySelector("input");
    var buttons = stepper.querySelectorAll("[data-step]");
    var min = Number(input.min) || 1;
    var max = Number(input.max) || Infinity;

    function current() {
      var value = parseInt(input.value, 10);
      return isNaN(value) ? min : value;
    }

    function update() {
      buttons.forEach(function (button) {
        var step = Number(button.dataset.step);
        button.disabled = step < 0 ? current() <= min : current() >= max;
      });
    }

    buttons.forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var next = current() + Number(button.dataset.step);
        input.value = String(Math.min(max, Math.max(min, next)));
        input.dispatchEvent(new Event("input", { bubbles: true }));
        update();
      });
    });
    input.addEventListener("input", update);
    update();
  });
})();
