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
  // htmx swaps no 4xx/5xx answer: without this, a form sent with htmx that is refused (403, 409, 413)
  // or fails (500, no connection) would seem to do nothing. Say so, near the top of <main>, in an
  // alert (announced by screen readers; focus stays in the form, where the input still is). The
  // message comes from <body data-htmx-error> (translated). Never for the background poller: a
  // failed poll is retried three seconds later and must not disturb anyone.
  var ERROR_ID = "htmx-error";
  function fromBackgroundPoll(event) {
    var element = event.detail && event.detail.elt;
    return !!(element && element.closest && element.closest("[data-background-poll]"));
  }
  function showHtmxError(event) {
    if (fromBackgroundPoll(event)) { return; }
    var main = document.getElementById("main");
    var message = document.body.getAttribute("data-htmx-error");
    if (!main || !message) { return; }
    var old = document.getElementById(ERROR_ID);
    if (old) { old.parentNode.removeChild(old); }  // a fresh node: announced again on a second failure
    var alert = document.createElement("div");
    alert.id = ERROR_ID;
    alert.className = "utrecht-alert utrecht-alert--error";
    alert.setAttribute("role", "alert");
    var content = document.createElement("div");
    content.className = "utrecht-alert__content";
    var paragraph = document.createElement("p");
    paragraph.className = "utrecht-alert__message utrecht-paragraph";
    paragraph.textContent = message;
    content.appendChild(paragraph);
    alert.appendChild(content);
    main.insertBefore(alert, main.firstChild);
    if (alert.scrollIntoView) { alert.scrollIntoView({ block: "nearest" }); }
  }
  document.addEventListener("htmx:responseError", showHtmxError);
  document.addEventListener("htmx:sendError", showHtmxError);
  // A later request that succeeds (not the poller's) takes the message away.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (fromBackgroundPoll(event) || !(event.detail && event.detail.successful)) { return; }
    var old = document.getElementById(ERROR_ID);
    if (old) { old.parentNode.removeChild(old); }
  });
  // Move focus to the main heading after an htmx swap that replaced the main region. An outerHTML
  // swap leaves the event's target detached: the region is the new element with the same id.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && !target.isConnected && target.id) { target = document.getElementById(target.id); }
    if (target && target.hasAttribute("data-focus-after-swap")) {
      var heading = target.querySelector("h1, h2, [tabindex='-1']");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  });
})();
