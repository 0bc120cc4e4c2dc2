// Shows the report as soon as the hand-in is graded: asks for its state every two seconds,
// then loads the page anew (served from our origin; the pages allow no inline script).
"use strict";
(function () {
  var report = document.getElementById("report");
  if (!report) { return; }
  var url = report.getAttribute("data-url");
  var first = report.getAttribute("data-state");
  function ask() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.state !== first && (data.state === "graded" || data.state === "error")) {
          window.location.reload();
        } else {
          window.setTimeout(ask, 2000);
        }
      })
      .catch(function () { window.setTimeout(ask, 5000); });
  }
  window.setTimeout(ask, 1000);
})();
