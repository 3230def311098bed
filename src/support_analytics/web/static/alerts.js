/*
 * The header's alert notification (internal users): listens for `alert` events on the
 * page's one live stream (app.js; ids only) and then asks /api/v1/alerts/notifications,
 * through the user's own session, what fired; shows the newest in the header, linked to its
 * rule.
 */
(function () {
  "use strict";

  // In the page's zone (base.html's data-timezone: the user's own, else the reporting one),
  // written as the server writes times: "14 Mar 2025 09:30 EDT".
  function moment(iso) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: document.body.getAttribute("data-timezone") || undefined,
      day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
    }).formatToParts(new Date(iso)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.day + " " + parts.month + " " + parts.year + " " + parts.hour + ":" +
      parts.minute + " " + parts.timeZoneName;
  }

  function show(bell, firing) {
    var test = firing.kind === "test" ? " (test)" : "";
    var value = firing.value === null ? "" : ": " + firing.value;
    bell.textContent = "\u25CF " + firing.rule_name + value + test;
    bell.href = "/alerts/" + firing.rule_id;
    bell.title = "Alert fired at " + moment(firing.created_at);
    bell.hidden = false;
  }

  function latest(bell) {
    fetch("/api/v1/alerts/notifications", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (body && body.rows && body.rows.length) show(bell, body.rows[0]);
      })
      .catch(function () { /* the next event tries again */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var bell = document.querySelector("[data-alert-bell]");
    if (!bell || typeof window.saOpenLiveStream !== "function") return;
    // The page's own stream (app.js): no second connection for the bell. A `resync`, or a
    // new stream that could not resume, means alerts may have fired unseen: ask again.
    window.saOpenLiveStream(["alert", "bulk"], function (evt) {
      if (evt.type === "alert") { latest(bell); return; }
      var data = {};
      try { data = JSON.parse(evt.data); } catch (e) { return; }
      if (data.op === "resync") latest(bell);
    }, function (state, missed) {
      if (missed) latest(bell);
    });
  });
})();
