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
      // One line of text, with one percentage: the visible line follows every event; the
      // status (read out, not shown) is told every quarter, so it never shows a second,
      // older percentage beside the line.
      start: function () {
        box.hidden = false;
        text.textContent = box.dataset.startText;
        status.textContent = box.dataset.startText;
      },
      update: function (loaded, total) {
        var percent = total ? Math.floor((loaded / total) * 100) : 0;
        bar.setAttribute("aria-valuenow", String(percent));
        bar.setAttribute("aria-valuetext", percent + "%");
        fill.style.width = percent + "%";
        text.textContent = box.dataset.startText + " " + box.dataset.bytesText
          .replace("{sent}", formatMB(loaded))
          .replace("{total}", formatMB(total)) + " · " + percent + "%";
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
        text.textContent = box.dataset.doneText;
        status.textContent = box.dataset.doneText;
      },
      failed: function (message) {
        text.textContent = message;
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

  // Answers shown above the kept form rather than in place of the page.
  var IN_PLACE = [403, 429, 500, 502, 503, 504];

  function showProblem(form, doc, status) {
    var box = document.getElementById("post-problem");
    if (!box) {
      box = document.createElement("div");
      box.id = "post-problem";
      box.className = "alert alert-danger post-problem";
      box.setAttribute("role", "alert");
      box.setAttribute("tabindex", "-1");
      form.parentNode.insertBefore(box, form);
    }
    var source = doc.querySelector(".post-problem-content") || doc.querySelector("main") || doc.body;
    // (what the page says of files kept or lost is told below, from this page's point of view)
    source.querySelectorAll("script, style, form, .files-note").forEach(function (node) {
      node.remove();
    });
    box.replaceChildren();
    Array.prototype.forEach.call(source.childNodes, function (node) {
      box.appendChild(document.adoptNode(node.cloneNode(true)));
    });
    var kept = document.createElement("p");
    kept.className = "mb-0 fw-bold";
    kept.textContent = form.dataset.keptText + " (HTTP " + status + ")";
    box.appendChild(kept);
    box.scrollIntoView({ block: "start" });
    box.focus({ preventScroll: true });
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
      if (xhr.response && xhr.response.body && IN_PLACE.indexOf(xhr.status) !== -1) {
        // Refused (too many posts, the deadline passed) or failed: the answer goes above
        // this form, which keeps everything typed and every file chosen.
        showProblem(form, xhr.response, xhr.status);
        release(form.dataset.problemText);
      } else if (xhr.response && xhr.response.body) {
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

  // --- Never lose what was typed: across the language switch, and before leaving -----------
  var KEPT_PREFIX = "portal-form:";

  function formValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "file" || el.type === "hidden" ||
          el.type === "submit" || el.type === "button") {
        return;
      }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) {
        return;
      }
      if (el.tagName === "SELECT" && el.multiple) {
        values[el.name] = Array.prototype.filter.call(el.options, function (o) {
          return o.selected;
        }).map(function (o) {
          return o.value;
        });
        return;
      }
      (values[el.name] = values[el.name] || []).push(el.value);
    });
    return values;
  }

  function restoreValues(form, values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values) || el.type === "file" || el.type === "hidden") {
        return;
      }
      var wanted = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = wanted.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = wanted.indexOf(o.value) !== -1;
        });
      } else {
        el.value = wanted[0];
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
    // Boxes a restored answer unticks (no longer in ``values``).
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox], input[type=radio]"), function (el) {
      if (el.name && !(el.name in values) && el.checked) {
        el.checked = false;
      }
    });
  }

  function initKeepAnswers() {
    var form = document.querySelector("form.application-form");
    if (!form) {
      return;
    }
    var key = KEPT_PREFIX + window.location.pathname;
    var dirty = false;
    var stored = null;
    try {
      stored = window.sessionStorage.getItem(key);
      window.sessionStorage.removeItem(key);
    } catch (e) {
      stored = null;
    }
    if (stored) {
      var kept = JSON.parse(stored);
      restoreValues(form, kept.values);
      dirty = true;
      var note = document.createElement("div");
      note.className = "alert alert-info kept-answers";
      note.setAttribute("role", "status");
      note.textContent = kept.files ? form.dataset.keptFilesText : form.dataset.keptAnswersText;
      form.parentNode.insertBefore(note, form);
    }
    form.addEventListener("input", function () {
      dirty = true;
    });
    form.addEventListener("change", function () {
      dirty = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && form.dataset.sending !== "1" && !form.dataset.leaving) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    document.querySelectorAll("form.language-switch").forEach(function (switcher) {
      switcher.addEventListener("submit", function () {
        // The page comes back in the other language with the same answers; files cannot
        // be carried over, and the note says so.
        try {
          window.sessionStorage.setItem(key, JSON.stringify({
            values: formValues(form),
            files: hasChosenFiles(form),
          }));
          form.dataset.leaving = "1";
        } catch (e) {
          // No storage (private mode): the warning before leaving still applies.
        }
      });
    });
  }

  // --- A character count for the long texts, as GOV.UK's ---------------------------------
  function initCharCounts() {
    var form = document.querySelector("form.application-form");
    if (!form) {
      return;
    }
    form.querySelectorAll("textarea[data-maxlength]").forEach(function (area) {
      var max = parseInt(area.dataset.maxlength, 10);
      var shown = document.createElement("div");
      shown.className = "form-text char-count";
      shown.id = area.id + "_count";
      shown.setAttribute("aria-hidden", "true");
      var spoken = document.createElement("div");
      spoken.className = "visually-hidden";
      spoken.setAttribute("aria-live", "polite");
      area.insertAdjacentElement("afterend", spoken);
      area.insertAdjacentElement("afterend", shown);
      var timer = null;
      function message() {
        // Code points, as the server counts (a rare character such as 𠮷 is one).
        var n = Array.from(area.value.replace(/\r\n?/g, "\n")).length;
        return n > max
          ? { text: form.dataset.countOver.replace("{n}", n - max), over: true }
          : { text: form.dataset.countLeft.replace("{n}", max - n), over: false };
      }
      function update() {
        var m = message();
        shown.textContent = m.text;
        shown.classList.toggle("char-count-over", m.over);
        clearTimeout(timer);
        timer = setTimeout(function () {
          spoken.textContent = m.text;
        }, 1000);
      }
      area.addEventListener("input", update);
      var m = message();
      shown.textContent = m.text;
      shown.classList.toggle("char-count-over", m.over);
    });
  }

  // --- Files checked the moment they are chosen (the server still decides) --------------------
  function initFileChecks() {
    var form = document.querySelector("form.application-form");
    if (!form) {
      return;
    }
    form.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      var max = parseInt(input.dataset.maxBytes, 10);
      var extensions = (input.dataset.extensions || "").split(",");
      var box = document.createElement("div");
      box.id = input.id + "_check";
      box.className = "invalid-feedback d-block file-check";
      box.setAttribute("role", "alert");
      box.hidden = true;
      input.insertAdjacentElement("afterend", box);
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        var problem = "";
        if (file) {
          var dot = file.name.lastIndexOf(".");
          var ext = dot === -1 ? "" : file.name.slice(dot).toLowerCase();
          if (extensions.indexOf(ext) === -1) {
            problem = form.dataset.wrongTypeText
              .replace("{name}", file.name)
              .replace("{types}", input.dataset.kinds || "");
          } else if (file.size > max) {
            problem = form.dataset.tooLargeText
              .replace("{name}", file.name)
              .replace("{size}", formatMB(file.size))
              .replace("{limit}", formatMB(max));
          }
        }
        if (problem) {
          input.value = ""; // never sent: minutes on a phone line for a certain refusal
        }
        box.textContent = problem;
        box.hidden = !problem;
        input.classList.toggle("is-invalid", !!problem);
      });
    });
  }

  function init() {
    initForms();
    initKeepAnswers();
    initCharCounts();
    initFileChecks();
    var summary = initErrorSummary();
    var link = document.getElementById("private-link");
    if (link) {
      link.addEventListener("focus", function () {
        link.select();
      });
      var copy = document.querySelector(".copy-link");
      if (copy && navigator.clipboard) {
        copy.hidden = false;
        copy.addEventListener("click", function () {
          navigator.clipboard.writeText(link.value).then(function () {
            copy.textContent = copy.dataset.copiedText;
          });
        });
      }
    }
    return summary;
  }

  init();
})();
