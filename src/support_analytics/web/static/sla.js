// The SLAs view (dashboard/_sla.html): countdowns on the at-risk board and the compliance
// chart. Time drives the board, not only events: once a second every at-risk row's time
// left is recomputed from its due time and the browser's clock (corrected by the server's
// clock at render, data-as-of), and a row whose due time has passed moves to the breached
// list with both counts updated, without a reload. The board also reloads every minute.
(function () {
  "use strict";
  if (window.slaBoard) {
    window.slaBoard.init(document);
    return;
  }

  var skew = 0; // server clock minus browser clock, in ms, measured at render

  function text(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (h ? h + " h " + pad(m) + " min" : m + " min " + pad(sec) + " s");
  }

  function bump(board, which, by) {
    var el = board.querySelector('[data-sla-count="' + which + '"]');
    if (!el) return;
    var n = parseInt(el.textContent.replace(/[^0-9]/g, ""), 10) || 0;
    el.textContent = (n + by).toLocaleString("en-US");
  }

  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-sla-board]").forEach(function (board) {
      var breached = board.querySelector('[data-sla-list="breached"]');
      board.querySelectorAll('tr[data-state="at_risk"]').forEach(function (row) {
        var left = Date.parse(row.getAttribute("data-due")) - now;
        var cell = row.querySelector("[data-countdown]");
        if (left >= 0) {
          if (cell) cell.textContent = text(left);
          return;
        }
        // Due now: breached from this instant (the server's definition: running past due).
        row.setAttribute("data-state", "breached");
        row.classList.add("sla-just-breached");
        if (cell) {
          cell.removeAttribute("data-countdown");
          cell.textContent = "just now";
        }
        if (breached) breached.insertBefore(row, breached.firstChild);
        bump(board, "at_risk", -1);
        bump(board, "breached", 1);
      });
    });
  }

  function drawChart(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-sla-chart]").forEach(function (el) {
      var node = document.getElementById(el.getAttribute("data-sla-chart"));
      if (!node) return;
      var d = JSON.parse(node.textContent);
      var existing = echarts.getInstanceByDom(el);
      if (existing) existing.dispose();
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption({
        animation: false,
        color: ["#2457c5", "#1b7a43"],
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
        legend: { top: 0 },
        grid: { left: 56, right: 20, top: 36, bottom: 36, containLabel: true },
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", name: "% met", min: 0, max: 100 },
        series: [
          { name: "First response", type: "line", symbolSize: 7, connectNulls: true, data: d.first_response },
          { name: "Resolution", type: "line", symbolSize: 7, connectNulls: true, data: d.resolution },
        ],
      });
      el.setAttribute("data-chart-ready", "true");
    });
  }

  function init(root) {
    var board = document.querySelector("[data-sla-board]");
    if (board && board.getAttribute("data-as-of")) {
      skew = Date.parse(board.getAttribute("data-as-of")) - Date.now();
    }
    drawChart(root);
    tick();
  }

  window.slaBoard = { init: init, tick: tick };
  window.setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target || document); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
