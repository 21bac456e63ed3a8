// The review form's weighted total, live: Σ weight × score / scale, rounded half up, the
// same as applications/rubric.py weighted_total (computed on integers: a common
// denominator, so that 84.5 is never 84.4999…). "—" while a criterion has no valid score.
(function () {
  "use strict";
  function gcd(a, b) { return b ? gcd(b, a % b) : a; }
  function update(output, inputs) {
    var scales = inputs.map(function (el) { return parseInt(el.dataset.scale, 10); });
    var common = scales.reduce(function (l, s) { return l / gcd(l, s) * s; }, 1);
    var numerator = 0;
    for (var i = 0; i < inputs.length; i++) {
      var text = inputs[i].value.trim();
      var value = /^[0-9]+$/.test(text) ? parseInt(text, 10) : NaN;
      if (isNaN(value) || value > scales[i]) { output.textContent = "—"; return; }
      numerator += parseInt(inputs[i].dataset.weight, 10) * value * (common / scales[i]);
    }
    output.textContent = String(Math.floor((2 * numerator + common) / (2 * common)));
  }
  document.addEventListener("DOMContentLoaded", function () {
    var output = document.getElementById("review-total");
    if (!output) { return; }
    var inputs = Array.prototype.slice.call(document.querySelectorAll(".rubric-score"));
    inputs.forEach(function (el) {
      el.addEventListener("change", function () { update(output, inputs); });
      el.addEventListener("input", function () { update(output, inputs); });
    });
  });
})();
