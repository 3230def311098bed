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

/* The inbox's bulk action bar: "select all on this page", the count of ticked rows, and ticks
 * that survive a live refresh of the same list (a new filter, sort or page starts empty, so
 * nothing off screen is ever changed by surprise). The form itself works without this. */
(function () {
  "use strict";

  function boxes() { return document.querySelectorAll("input[name=ids][form=bulk-form]"); }

  function sync() {
    var all = boxes();
    var picked = Array.prototype.filter.call(all, function (b) { return b.checked; }).length;
    var master = document.querySelector("[data-bulk-all]");
    if (master) {
      master.checked = all.length > 0 && picked === all.length;
      master.indeterminate = picked > 0 && picked < all.length;
    }
    var count = document.querySelector("[data-bulk-count]");
    if (!count) return;
    if (picked) count.setAttribute("data-picked", "");
    else count.removeAttribute("data-picked");
    count.textContent = picked
      ? picked + (picked === 1 ? " ticket selected" : " tickets selected")
      : "Tick tickets to change several at once";
  }

  document.addEventListener("change", function (evt) {
    var target = evt.target;
    if (!target.matches) return;
    if (target.matches("[data-bulk-all]")) {
      boxes().forEach(function (b) { b.checked = target.checked; });
      sync();
    } else if (target.matches("input[name=ids][form=bulk-form]")) {
      sync();
    }
  });

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form.matches || !form.matches("form[data-bulk-form]")) return;
    var count = document.querySelector("[data-bulk-count]");
    var picked = Array.prototype.some.call(boxes(), function (b) { return b.checked; });
    var change = form.elements.status.value || form.elements.assigned_to.value;
    if (!picked || !change) {
      evt.preventDefault();
      if (count) count.textContent = picked ? "Choose a status or an assignee first" : "Tick at least one ticket first";
    }
  });

  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (evt) {
    kept = null;
    var xhr = evt.detail && evt.detail.xhr;
    if (!xhr || !xhr.responseURL) return;
    var url = new URL(xhr.responseURL);
    if (url.pathname + url.search !== location.pathname + location.search) return;
    kept = Array.prototype.filter.call(boxes(), function (b) { return b.checked; })
      .map(function (b) { return b.value; });
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (kept && kept.length) {
      boxes().forEach(function (b) { if (kept.indexOf(b.value) >= 0) b.checked = true; });
    }
    kept = null;
    sync();
  });
})();

/* The inbox's SLA countdowns follow the clock between refreshes: every second each running
 * clock's text is recomputed from its due time, and its state word and colour change when it
 * enters the at-risk window or passes its due time (the server's rule for a running clock,
 * `web/pages/ticket_times.py`), so a ticket turns "Breached" without a reload. */
(function () {
  var LABELS = { pending: "On track", at_risk: "At risk", breached: "Breached" };

  function span(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    minutes = minutes % 60;
    if (days) return hours ? days + " d " + hours + " h" : days + " d";
    if (hours) return minutes ? hours + " h " + minutes + " min" : hours + " h";
    return minutes ? minutes + " min" : "under a minute";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.sla-countdown[datetime]").forEach(function (el) {
      var left = (Date.parse(el.getAttribute("datetime")) - now) / 1000;
      var text = left >= 0 ? "due in " + span(left) : "overdue by " + span(left);
      if (el.textContent !== text) el.textContent = text;
      var cell = el.closest("[data-sla-state]");
      var risk = Number(el.getAttribute("data-at-risk-seconds"));
      if (!cell || !risk) return;
      var state = left < 0 ? "breached" : left <= risk ? "at_risk" : "pending";
      if (cell.getAttribute("data-sla-state") === state) return;
      cell.setAttribute("data-sla-state", state);
      var pill = cell.querySelector(".pill");
      if (pill) {
        pill.className = "pill sla-" + state;
        pill.textContent = LABELS[state];
      }
    });
  }

  if (document.querySelector("time.sla-countdown")) tick();
  setInterval(tick, 1000);
})();
