// The call's notice in admin: a live preview of the Markdown, as the public page shows it.
// The server renders and sanitises it (nh3), so what is shown here is what will be public.
(function () {
  "use strict";
  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function attach(textarea) {
    var url = textarea.getAttribute("data-preview-url");
    var target = document.getElementById(textarea.id + "-preview");
    if (!url || !target) return;
    var timer = null;
    var sent = 0;
    function refresh() {
      var ticket = ++sent;
      var body = new URLSearchParams();
      body.set("notice", textarea.value);
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form) },
        body: body,
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          if (ticket === sent) target.innerHTML = html; // sanitised by the server
        })
        .catch(function () {
          /* keep the last preview; the text itself is saved with the form */
        });
    }
    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-preview-url]").forEach(attach);
  });
})();
