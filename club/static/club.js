// Club: small progressive enhancements. Everything works without this file.
(function () {
  "use strict";
  // After a boosted navigation, move focus to the main landmark for screen readers.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.boosted) {
      var main = document.getElementById("main");
      if (main) { main.focus({ preventScroll: true }); }
    }
  });
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);

  // Unsaved changes: a POST form someone typed in (or one shown again with errors, still holding what
  // they typed) warns before the page is left, by a link, a boosted link, a reload or closing the tab;
  // never when the form itself is sent. Search and filter forms (GET) and forms marked
  // data-no-unsaved-warning are left alone.
  var dirty = new Set();
  var sending = false;

  function watched(form) {
    return form && form.tagName === "FORM" && (form.method || "").toLowerCase() === "post" &&
      !form.hasAttribute("data-no-unsaved-warning");
  }
  function markFrom(event) {
    var target = event.target;
    if (!target || target.type === "hidden" || target.type === "submit") { return; }
    var form = target.form || (target.closest && target.closest("form"));
    if (watched(form)) { dirty.add(form); }
  }
  function scan(root) {
    dirty.forEach(function (form) { if (!document.contains(form)) { dirty.delete(form); } });
    (root || document).querySelectorAll("form").forEach(function (form) {
      if (watched(form) && form.querySelector(".is-invalid, [aria-invalid='true']")) { dirty.add(form); }
    });
  }
  function message() {
    return document.body.dataset.unsavedMessage || "";
  }
  function hasUnsaved() {
    scan();
    return !sending && dirty.size > 0;
  }

  document.addEventListener("input", markFrom, true);
  document.addEventListener("change", markFrom, true);
  // Capture phase, after the data-confirm question above and before htmx takes the submit over.
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) {
      sending = true;
      dirty.delete(event.target);
    }
  }, true);
  document.addEventListener("DOMContentLoaded", function () { scan(); });
  document.addEventListener("htmx:afterSettle", function () { sending = false; scan(); });

  window.addEventListener("beforeunload", function (event) {
    if (hasUnsaved()) {
      event.preventDefault();
      event.returnValue = message();  // older browsers want a value; the text shown is the browser's
      return message();
    }
  });
  // Boosted links navigate without unloading the page: ask here instead.
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || elt.tagName !== "A" || !hasUnsaved()) { return; }
    event.preventDefault();
    if (window.confirm(message())) {
      dirty.clear();
      event.detail.issueRequest(true);
    }
  });
})();

// A file over the upload limit is refused before it is sent (a request too large for the server would
// only get the 413 page): the field says so, and nothing typed in the form is lost.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.tagName !== "INPUT" || input.type !== "file") { return; }
    var limit = parseInt(input.getAttribute("data-max-bytes") || document.body.getAttribute("data-upload-max") || "0", 10);
    var tooLarge = false;
    for (var i = 0; limit && input.files && i < input.files.length; i++) {
      if (input.files[i].size > limit) { tooLarge = true; }
    }
    input.setCustomValidity(tooLarge ? (document.body.getAttribute("data-upload-too-large") || "") : "");
    if (tooLarge) { input.reportValidity(); }
  }, true);
  // Forms are ``novalidate`` (the server speaks at the field): hold back only this refusal. On window,
  // in the capture phase, so it runs before anything that takes the submit over.
  window.addEventListener("submit", function (event) {
    var inputs = event.target.querySelectorAll ? event.target.querySelectorAll("input[type=file]") : [];
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].validity.customError) {
        event.preventDefault();
        event.stopPropagation();
        inputs[i].reportValidity();
        return;
      }
    }
  }, true);
})();
