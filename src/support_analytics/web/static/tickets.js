/* Ticket pages (portal and inbox): small enhancements over plain forms.
 *
 *  - forms marked data-once disable their submit button while submitting (the server's form
 *    token is what guarantees one ticket; this only spares the user a confusing second click),
 *  - the new-ticket form preselects the chosen type's usual priority until the user picks one,
 *  - pages refresh their live regions (data-live-region) when /api/v1/events reports a change
 *    to the ticket on screen (or to any ticket, on lists). Regions are replaced from a fresh
 *    GET of the same page, so what appears went through the server's own access checks.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form.matches || !form.matches("form[data-once]")) return;
    if (form.dataset.submitting === "1") { evt.preventDefault(); return; }
    form.dataset.submitting = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });

  var type = document.getElementById("ticket_type_id");
  var priority = document.getElementById("priority");
  if (type && priority) {
    var touched = false;
    priority.addEventListener("change", function () { touched = true; });
    type.addEventListener("change", function () {
      var option = type.options[type.selectedIndex];
      var usual = option && option.getAttribute("data-priority");
      if (!touched && usual) priority.value = usual;
    });
  }

  var regions = document.querySelectorAll("[data-live-region]");
  if (!regions.length || typeof EventSource === "undefined") return;
  var scope = document.querySelector("[data-ticket-id]");
  var ticketId = scope ? Number(scope.getAttribute("data-ticket-id")) : null;
  var timer = null;

  function refresh() {
    timer = null;
    fetch(location.pathname + location.search, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live-region]").forEach(function (region) {
          var replacement = region.id && fresh.getElementById(region.id);
          if (replacement) region.replaceWith(document.importNode(replacement, true));
        });
        document.dispatchEvent(new CustomEvent("tickets:refreshed"));
      })
      .catch(function () { /* the next event tries again */ });
  }

  // app.js (loaded on every page) owns the stream and its reconnects.
  if (!window.saOpenLiveStream) return;
  var stream = window.saOpenLiveStream(["ticket", "message", "feedback", "bulk"], function (evt) {
    var data = {};
    try { data = JSON.parse(evt.data); } catch (e) { return; }
    if (ticketId !== null && data.kind !== "bulk" && data.ticket_id !== ticketId) return;
    if (!timer) timer = setTimeout(refresh, 300);
  }, function (state, missed) {
    if (missed && !timer) timer = setTimeout(refresh, 300);
  });
  window.addEventListener("pagehide", function () { stream.close(); });
})();
