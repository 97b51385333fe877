// Irreversible actions ask first. A submit button carrying data-confirm="…" shows that text,
// which names the consequence, in the browser's own dialog; Cancel keeps the page as it is.
// data-confirm-if="field=value" asks only when the form's field has that value (a "do not
// fund" among the decisions). No inline script: the Content-Security-Policy allows 'self' only.
(function () {
  "use strict";

  function applies(form, condition) {
    if (!condition) {
      return true;
    }
    var parts = condition.split("=");
    var field = form.elements.namedItem(parts[0]);
    return Boolean(field) && field.value === parts.slice(1).join("=");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var source = button && button.dataset.confirm ? button : form;
    var message = source.dataset.confirm;
    if (message && applies(form, source.dataset.confirmIf) && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
