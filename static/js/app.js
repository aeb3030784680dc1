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
  // Background polls (the live session page) do not count as activity on the server, so a page
  // left open still times out. Someone typing or clicking is active, though: the next poll says so,
  // and their unsaved notes are not lost to an idle timeout.
  var activeSinceLastPoll = false;
  ["keydown", "pointerdown", "input"].forEach(function (name) {
    document.addEventListener(name, function () { activeSinceLastPoll = true; }, true);
  });
  document.addEventListener("htmx:configRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (element && element.hasAttribute("data-background-poll")) {
      if (activeSinceLastPoll) { event.detail.headers["X-RET-User-Active"] = "1"; }
      activeSinceLastPoll = false;
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
