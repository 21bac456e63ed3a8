// Small progressive enhancements; every rule is enforced on the server and every page
// works without this file.
(function () {
  "use strict";

  var phone = window.matchMedia("(max-width: 575.98px)");

  // The block of a field: its label (or legend), input, help text and message.
  function fieldBlock(input) {
    return input.closest("[id^='div_']") || input;
  }

  function focusField(input) {
    fieldBlock(input).scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  }

  // --- The error summary: focus it, lead to each field -------------------------------------
  function initErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (!summary) {
      return false;
    }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-target]");
      var input = link && document.getElementById(link.dataset.target);
      if (input) {
        event.preventDefault();
        focusField(input);
      }
    });
    // Screen readers announce the summary ("有 3 处需要修改" and the list) ...
    summary.focus({ preventScroll: true });
    var first = summary.querySelector("a[data-target]");
    var firstInput = first && document.getElementById(first.dataset.target);
    if (phone.matches && firstInput) {
      // ... and on a phone, where the summary and the first wrong field are screens
      // apart, the page shows the first field to correct with its message.
      fieldBlock(firstInput).scrollIntoView({ block: "start" });
    } else {
      summary.scrollIntoView({ block: "start" });
    }
    return true;
  }

  // --- Sending the form: once, with a progress bar for files ---------------------------------
  function formatMB(bytes) {
    return (bytes / 1048576).toFixed(1);
  }

  function hasChosenFiles(form) {
    return Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
      return input.files && input.files.length > 0;
    });
  }

  function progressUI(form) {
    var box = form.querySelector(".upload-progress");
    if (!box) {
      return null;
    }
    var bar = box.querySelector("[role=progressbar]");
    var fill = box.querySelector(".progress-bar");
    var text = box.querySelector(".upload-progress-text");
    var status = box.querySelector(".upload-progress-status");
    var announced = -1;
    return {
      start: function () {
        box.hidden = false;
        status.textContent = box.dataset.startText;
      },
      update: function (loaded, total) {
        var percent = total ? Math.floor((loaded / total) * 100) : 0;
        bar.setAttribute("aria-valuenow", String(percent));
        bar.setAttribute("aria-valuetext", percent + "%");
        fill.style.width = percent + "%";
        text.textContent = box.dataset.bytesText
          .replace("{sent}", formatMB(loaded))
          .replace("{total}", formatMB(total)) + " · " + percent + "%";
        // Tell screen readers every quarter, not on every event.
        var quarter = Math.floor(percent / 25);
        if (quarter !== announced && percent < 100) {
          announced = quarter;
          status.textContent = box.dataset.startText + " " + percent + "%";
        }
      },
      sent: function () {
        bar.setAttribute("aria-valuenow", "100");
        bar.setAttribute("aria-valuetext", "100%");
        fill.style.width = "100%";
        status.textContent = box.dataset.doneText;
      },
      failed: function (message) {
        status.textContent = message;
        box.classList.add("is-failed");
      },
      reset: function () {
        box.classList.remove("is-failed");
        bar.setAttribute("aria-valuenow", "0");
        fill.style.width = "0%";
      },
    };
  }

  // Put a page that came back from an XMLHttpRequest in place of this one.
  function showPage(doc, url) {
    document.title = doc.title;
    doc.querySelectorAll("script").forEach(function (script) {
      script.remove();
    });
    document.body.replaceWith(document.adoptNode(doc.body));
    if (url && url !== window.location.href) {
      // The form's entry becomes the page it led to: "back" does not resend anything.
      window.history.replaceState(null, "", url);
    }
    window.scrollTo(0, 0);
    if (!init()) {
      // As after a page load, reading starts at the top of the content (its messages).
      var main = document.getElementById("main");
      main.setAttribute("tabindex", "-1");
      main.focus({ preventScroll: true });
    }
  }

  function sendWithProgress(form, release) {
    var ui = progressUI(form);
    var xhr = new XMLHttpRequest();
    // (not form.action: the buttons named "action" shadow that property)
    xhr.open("POST", new URL(form.getAttribute("action") || "", document.baseURI).href);
    xhr.responseType = "document";
    if (ui) {
      ui.reset();
      ui.start();
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          ui.update(event.loaded, event.total);
        }
      });
      xhr.upload.addEventListener("load", function () {
        ui.sent();
      });
    }
    xhr.addEventListener("load", function () {
      if (xhr.response && xhr.response.body) {
        showPage(xhr.response, xhr.responseURL);
      } else {
        release(form.dataset.failedText + " (HTTP " + xhr.status + ")");
      }
    });
    xhr.addEventListener("error", function () {
      release(form.dataset.failedText);
    });
    xhr.addEventListener("abort", function () {
      release(form.dataset.failedText);
    });
    xhr.send(new FormData(form));
    return ui;
  }

  function initForms() {
    document.querySelectorAll("form.application-form").forEach(function (form) {
      var ui = null;
      var buttons = form.querySelectorAll("button[type=submit]");
      function release(message) {
        form.dataset.sending = "";
        form.querySelectorAll("input.js-action").forEach(function (input) {
          input.remove();
        });
        buttons.forEach(function (button) {
          button.disabled = false;
        });
        if (ui) {
          ui.failed(message);
        }
      }
      form.addEventListener("submit", function (event) {
        // A form is sent once: a double click or double tap cannot post it twice.
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
          hidden.className = "js-action";
          hidden.name = pressed.name;
          hidden.value = pressed.value;
          form.appendChild(hidden);
        }
        buttons.forEach(function (button) {
          button.disabled = true;
        });
        if (window.FormData && hasChosenFiles(form)) {
          // Files go through XMLHttpRequest, whose upload events give real bytes sent.
          event.preventDefault();
          ui = sendWithProgress(form, release);
        }
      });
    });
  }

  function init() {
    initForms();
    var summary = initErrorSummary();
    var link = document.getElementById("private-link");
    if (link) {
      link.addEventListener("focus", function () {
        link.select();
      });
    }
    return summary;
  }

  init();
})();
