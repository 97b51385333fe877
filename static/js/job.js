// The progress bar of a background job (core.models.Job): the element with data-job-url polls
// that JSON URL (/api/jobs/<id>/ for any job: {status, done, total}) every second, moves its <progress>, and reloads the page
// once the job is finished, so the server renders the report. Without JavaScript the page
// refreshes itself instead (a <noscript> meta refresh). No library: fetch only.
(function () {
  "use strict";

  var element = document.querySelector("[data-job-url]");
  if (!element) {
    return;
  }
  var bar = element.querySelector("progress");
  var label = element.querySelector("[data-job-done]");

  function poll() {
    fetch(element.dataset.jobUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (job) {
        if (job.status === "done" || job.status === "failed") {
          window.location.reload();
          return;
        }
        if (bar) {
          bar.max = job.total;
          bar.value = job.done;
        }
        if (label) {
          label.textContent = String(job.done);
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // Offline or logged out for a moment: try again a little later.
        window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 1000);
})();
