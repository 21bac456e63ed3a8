// Small progressive enhancements; every rule is enforced on the server.
(function () {
  "use strict";
  // A form is sent once: a double click or double tap cannot post it twice.
  document.querySelectorAll("form.application-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
      var pressed = event.submitter;
      if (pressed && pressed.name) {
        // Disabled buttons are not sent; keep the chosen action in a hidden field.
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = pressed.name;
        hidden.value = pressed.value;
        form.appendChild(hidden);
      }
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    });
  });
  // Lead the eye to the errors after a failed submission.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }
  var link = document.getElementById("private-link");
  if (link) {
    link.addEventListener("focus", function () { link.select(); });
  }
})();
