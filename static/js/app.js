// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Ask before destructive actions: <button data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // Move focus to the main heading after an htmx swap that replaced the main region.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.hasAttribute("data-focus-after-swap")) {
      var heading = target.querySelector("h1, h2, [tabindex='-1']");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  });
})();
