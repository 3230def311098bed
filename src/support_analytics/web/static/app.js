/* support-analytics front end: small glue around htmx, ECharts and tom-select.
 *
 * The server renders everything; this file only
 *  - turns the filter bar's controls into the canonical query string (date=between:a,b ...),
 *  - draws charts from the JSON the server embeds next to each chart element,
 *  - upgrades multi-selects to searchable tom-selects,
 *  - shows the loading / error states of htmx swaps,
 *  - refreshes the current view when the live event stream says the data changed,
 *  - measures filter change → all charts painted (window.saTimings, for the browser tests).
 */
(function () {
  "use strict";

  var FILTER_KEYS = ["date", "team_member", "ticket_type", "priority"];
  var charts = new Map();
  var pending = null; // {started: ms} while a filter change is on its way to the screen
  window.saTimings = [];

  // Tooltip formatters return HTML: every name from the data is text, never markup.
  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // The CSP allows no inline event handlers: a select marked data-autosubmit submits its form.
  document.addEventListener("change", function (evt) {
    var select = evt.target.closest && evt.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit();
  });

  // ---------- filter bar → canonical query string ----------

  function selectedValues(select) {
    return Array.prototype.filter.call(select.options, function (o) { return o.selected; })
      .map(function (o) { return o.value; }).filter(Boolean);
  }

  function filterParams(form) {
    var params = {};
    var period = form.querySelector("[name=date_period]");
    var dateOp = form.querySelector("[name=date_op]");
    // A relative period goes into the address as itself, so a bookmark keeps moving with the
    // clock; the date inputs only show the days it resolved to.
    if (period && period.value) {
      params.date = period.value;
    } else if (dateOp && dateOp.value) {
      var from = form.querySelector("[name=date_from]").value;
      var to = form.querySelector("[name=date_to]").value;
      if (dateOp.value === "between" && from && to) params.date = "between:" + from + "," + to;
      else if (dateOp.value !== "between" && from) params.date = dateOp.value + ":" + from;
    }
    ["team_member", "ticket_type", "priority", "client", "plan"].forEach(function (key) {
      var op = form.querySelector("[name=" + key + "_op]");
      var values = form.querySelector("select[name=" + key + "]");
      if (!op || !values) return;
      var chosen = selectedValues(values);
      if (!chosen.length) return;
      var operator = op.value;
      // "is"/"is_not" take one value; several picked values widen them to any_of/none_of.
      if (chosen.length > 1 && operator === "is") operator = "any_of";
      if (chosen.length > 1 && operator === "is_not") operator = "none_of";
      params[key] = operator + ":" + chosen.join(",");
    });
    return params;
  }

  function syncDateInputs(form) {
    var op = form.querySelector("[name=date_op]");
    if (!op) return;
    var to = form.querySelector("[name=date_to]");
    var toWrap = form.querySelector("[data-date-to]");
    var between = op.value === "between";
    if (toWrap) toWrap.hidden = !between;
    if (to) to.disabled = !between;
    var from = form.querySelector("[name=date_from]");
    var fromLabel = form.querySelector("[data-date-from-label]");
    if (fromLabel) fromLabel.textContent = between ? "From" : "Date";
    if (from) from.disabled = !op.value;
  }

  // The server resolves a relative period (in the reporting timezone) and sends the days back
  // on the date chip with every swap: the bar's period select and date inputs follow it.
  function syncPeriod(form) {
    var period = form.querySelector("[name=date_period]");
    if (!period) return;
    var chip = document.querySelector("#chips .chip[data-chip=date]");
    var token = chip ? chip.getAttribute("data-period") || "" : "";
    period.value = token;
    if (!token) return;
    form.querySelector("[name=date_op]").value = "between";
    form.querySelector("[name=date_from]").value = chip.getAttribute("data-start");
    form.querySelector("[name=date_to]").value = chip.getAttribute("data-end");
    syncDateInputs(form);
  }

  // The team table's column filters: contains / equals / numeric ranges in the analytics
  // grammar (name=contains:TEXT, status=is:TEXT, tickets_assigned=between:1,50 ...).
  function columnParams(form) {
    var params = {};
    var name = form.querySelector("[name=name_text]");
    if (name && name.value.trim()) params.name = "contains:" + name.value.trim();
    var status = form.querySelector("[name=status_text]");
    if (status && status.value) params.status = "is:" + status.value;
    form.querySelectorAll("input[name$=_min]").forEach(function (low) {
      var key = low.name.slice(0, -4);
      var high = form.querySelector("[name=" + key + "_max]");
      var a = low.value.trim(), b = high ? high.value.trim() : "";
      if (a && b) params[key] = "between:" + a + "," + b;
      else if (a) params[key] = "gte:" + a;
      else if (b) params[key] = "lte:" + b;
    });
    return params;
  }

  // A range whose min is above its max (typing "2" into max while min holds 2850) is a
  // moment in an edit, not a question: say so beside the inputs and keep the last rows.
  function rangeProblem(form) {
    var problem = null;
    form.querySelectorAll("input[name$=_min]").forEach(function (low) {
      var high = form.querySelector("[name=" + low.name.slice(0, -4) + "_max]");
      var a = parseFloat(low.value), b = high ? parseFloat(high.value) : NaN;
      var bad = isFinite(a) && isFinite(b) && a > b;
      [low, high].forEach(function (input) {
        if (!input) return;
        if (bad) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
      });
      if (bad && !problem) {
        var label = low.name.slice(0, -4).replace(/_/g, " ");
        problem = label.charAt(0).toUpperCase() + label.slice(1) + ": max (" + high.value +
          ") must be at least min (" + low.value + "). Showing the last matching rows.";
      }
    });
    return problem;
  }

  function columnMessage(form, text) {
    var box = document.getElementById(form.getAttribute("data-message") || "");
    if (!box) return;
    box.textContent = text || "";
    box.hidden = !text;
  }

  function replaceParams(params, wanted) {
    var keys = [];
    params.forEach(function (_v, k) { keys.push(k); });
    keys.forEach(function (k) { params.delete(k); });
    Object.keys(wanted).forEach(function (k) { params.set(k, wanted[k]); });
  }

  // Every GET from the dashboard drops empty fields; the filter bar sends only canonical keys
  // plus the view's own state (sort, column filters, search) carried over from the address.
  document.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (evt.detail.verb !== "get" || !elt.closest) return;
    var params = evt.detail.parameters;
    // Only the forms themselves: links inside them (sort headers) carry their own full URL.
    var form = elt.matches("[data-filter-form]") ? elt : null;
    var columns = elt.matches("[data-column-filter-form]") ? elt : null;
    var list = elt.matches("[data-list-form]") ? elt : null;
    if (list) {
      // A form that owns a few keys (the inbox's search, status, client, rating): the rest of
      // the state comes from the address at send time, never from values rendered earlier.
      var owned = {};
      list.querySelectorAll("input:not([type=hidden]), select").forEach(function (c) {
        if (c.name) owned[c.name] = c.value.trim();
      });
      var merged = {};
      new URLSearchParams(window.location.search).forEach(function (v, k) {
        if (!(k in owned) && k !== "page") merged[k] = v;
      });
      Object.keys(owned).forEach(function (k) { if (owned[k]) merged[k] = owned[k]; });
      replaceParams(params, merged);
    } else if (form) {
      var wanted = {};
      new URLSearchParams(window.location.search).forEach(function (v, k) {
        if (FILTER_KEYS.indexOf(k) === -1 && k !== "page") wanted[k] = v;
      });
      var canonical = filterParams(form);
      Object.keys(canonical).forEach(function (k) { wanted[k] = canonical[k]; });
      replaceParams(params, wanted);
      pending = { started: performance.now() };
    } else if (columns) {
      var problem = rangeProblem(columns);
      columnMessage(columns, problem);
      if (problem) { evt.preventDefault(); return; }
      var kept = {};
      ["date", "team_member", "ticket_type", "priority", "sort"].forEach(function (k) {
        var input = columns.querySelector("input[type=hidden][name=" + k + "]");
        if (input && input.value) kept[k] = input.value;
      });
      var own = columnParams(columns);
      Object.keys(own).forEach(function (k) { kept[k] = own[k]; });
      replaceParams(params, kept);
    } else if (elt.closest("[data-dashboard]")) {
      var empty = [];
      params.forEach(function (v, k) { if (v === "" || v === null) empty.push(k); });
      empty.forEach(function (k) { params.delete(k); });
    }
  });

  // ---------- tom-select ----------

  function initSelects(root) {
    if (typeof TomSelect === "undefined") return;
    root.querySelectorAll("select[data-searchable]").forEach(function (select) {
      if (select.tomselect) return;
      var label = select.getAttribute("aria-label") || "";
      var ts = new TomSelect(select, {
        plugins: { remove_button: { title: "Remove" } },
        maxOptions: 500,
        hidePlaceholder: true,
        closeAfterSelect: false,
        // tom-select narrows the list 300 ms after typing by default, so a fast Enter took
        // whatever was highlighted before ("low" for "high"): narrow on every keystroke.
        refreshThrottle: 0,
        onItemAdd: function () { this.setTextboxValue(""); this.refreshOptions(false); },
      });
      if (label && ts.control_input) ts.control_input.setAttribute("aria-label", label + " search");
    });
  }

  function destroySelects(root) {
    root.querySelectorAll("select[data-searchable]").forEach(function (select) {
      if (select.tomselect) select.tomselect.destroy();
    });
  }

  // ---------- charts ----------

  var PALETTE = ["#2457c5", "#e07b39", "#1b7a43", "#b42318", "#7b4fc9", "#0f8b8d", "#c2912e",
    "#d6457f", "#5a6473", "#3b9ddd", "#8a6d3b", "#4caf7d", "#a05195", "#2f4b7c"];

  function chartDataFor(el) {
    var node = document.getElementById(el.getAttribute("data-chart-data"));
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function navigate(url) {
    if (url) window.location.assign(url);
  }

  var builders = {};

  // With compare= the comparison period's series are drawn dashed against the current ones,
  // point i against point i (its own days in the tooltip); the x axis runs as far as the
  // longer period.
  builders.overTime = function (d) {
    var other = d.comparison;
    var length = Math.max(d.labels.length, other ? other.labels.length : 0);
    var labels = [];
    for (var i = 0; i < length; i++) labels.push(i < d.labels.length ? d.labels[i] : other.labels[i]);
    var series = [
      { name: "Created", type: "line", smooth: false, symbolSize: 7, data: d.created },
      { name: "Resolved", type: "line", smooth: false, symbolSize: 7, data: d.resolved },
    ];
    var option = {
      color: ["#2457c5", "#1b7a43", "#7f9ad8", "#6aa884"],
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 56, right: 20, top: 36, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value", name: "tickets" },
      series: series,
    };
    if (other) {
      var dashed = { type: "dashed", width: 2 };
      series.push(
        { name: "Created, " + other.name.toLowerCase(), type: "line", symbolSize: 5, lineStyle: dashed, data: other.created },
        { name: "Resolved, " + other.name.toLowerCase(), type: "line", symbolSize: 5, lineStyle: dashed, data: other.resolved });
      option.legend = { top: 0, type: "scroll", left: 0, right: 40 };
      option.grid.top = 44;
      option.tooltip.formatter = function (items) {
        return items.map(function (p) {
          var own = p.seriesIndex >= 2 ? other.labels : d.labels;
          var day = own[p.dataIndex];
          var value = p.value === undefined || p.value === null ? "—" : Number(p.value).toLocaleString("en-US");
          return p.marker + escapeHtml(p.seriesName) + (day ? " (" + escapeHtml(day) + ")" : "") + ": " + value;
        }).join("<br>");
      };
    }
    return option;
  };

  builders.typeDonut = function (d) {
    return {
      color: PALETTE,
      tooltip: { trigger: "item", formatter: function (p) { return escapeHtml(p.name) + ": " + p.value.toLocaleString("en-US") + " (" + Number(p.data.pct).toFixed(1) + "%)"; } },
      legend: { type: "scroll", orient: "horizontal", bottom: 0 },
      series: [{
        type: "pie", radius: ["32%", "56%"], center: ["50%", "46%"], avoidLabelOverlap: true,
        labelLine: { length: 8, length2: 8 },
        label: { formatter: function (p) { return p.value.toLocaleString("en-US") + " (" + Number(p.data.pct).toFixed(1) + "%)"; } },
        data: d.items,
      }],
    };
  };

  // Bar labels as the tables print numbers: 12,345 (a bar too short for its label shows none).
  var barLabel = {
    show: true, position: "inside", hideOverlap: true,
    formatter: function (p) { return p.value ? Number(p.value).toLocaleString("en-US") : ""; },
  };

  builders.priorityBars = function (d) {
    return {
      color: ["#e07b39", "#2457c5"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 56, right: 20, top: 36, bottom: 36 },
      xAxis: { type: "category", data: d.labels },
      yAxis: { type: "value", name: "tickets" },
      series: [
        { name: "Open", type: "bar", stack: "s", data: d.open, label: barLabel },
        { name: "Closed", type: "bar", stack: "s", data: d.closed, label: barLabel },
      ],
    };
  };

  builders.boxplot = function (d) {
    return {
      color: ["#2457c5"],
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var v = p.data.value || p.data;
          var n = v.length === 6 ? v.slice(1) : v;
          return escapeHtml(p.name) + "<br>max " + n[4] + " h<br>q3 " + n[3] + " h<br>median " + n[2] + " h<br>q1 " + n[1] + " h<br>min " + n[0] + " h";
        },
      },
      grid: { left: 64, right: 20, top: 20, bottom: 36 },
      xAxis: { type: "category", data: d.labels },
      yAxis: { type: "value", name: "hours" },
      series: [{ name: "Resolution hours", type: "boxplot", data: d.boxes }],
    };
  };

  builders.frtOverTime = function (d) {
    return {
      color: ["#2457c5", "#e07b39"],
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 56, right: 20, top: 36, bottom: 36, containLabel: true },
      xAxis: { type: "category", data: d.labels },
      yAxis: { type: "value", name: "hours" },
      series: [
        { name: "Median", type: "line", symbolSize: 7, data: d.median },
        { name: "90th percentile", type: "line", symbolSize: 7, data: d.p90 },
      ],
    };
  };

  builders.histogram = function (d) {
    return {
      color: ["#0f8b8d"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      // containLabel keeps the rotated-or-not bin labels inside; the axis title sits below them.
      grid: { left: 16, right: 20, top: 28, bottom: 44, containLabel: true },
      xAxis: { type: "category", data: d.labels, name: "hours", nameLocation: "middle", nameGap: 32 },
      yAxis: { type: "value", name: "tickets" },
      series: [{ name: "Tickets", type: "bar", barCategoryGap: "4%", data: d.counts }],
    };
  };

  function initCharts(root) {
    var els = root.querySelectorAll("[data-chart]");
    var painted = [];
    els.forEach(function (el) {
      var data = chartDataFor(el);
      var build = builders[el.getAttribute("data-chart")];
      if (!data || !build || typeof echarts === "undefined") return;
      var existing = charts.get(el);
      if (existing) existing.dispose();
      var chart = echarts.init(el, null, { renderer: "canvas" });
      charts.set(el, chart);
      painted.push(new Promise(function (resolve) {
        chart.on("finished", function once() { chart.off("finished", once); resolve(); });
      }));
      // ECharts' own toolbox: "Save as PNG", named after the chart and the day.
      var toolbox = {
        right: 4, top: 0, itemSize: 14,
        feature: { saveAsImage: { title: "Save as PNG", pixelRatio: 2, backgroundColor: "#fff",
          name: el.getAttribute("data-chart") + "_" + new Date().toISOString().slice(0, 10) } },
      };
      chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "system-ui, sans-serif" }, toolbox: toolbox }, build(data)));
      var links = data.links;
      if (links) {
        chart.on("click", function (p) {
          var key = p.seriesIndex + ":" + p.dataIndex;
          navigate(links[key] || links[String(p.dataIndex)] || links[p.name]);
        });
        el.style.cursor = "pointer";
      }
      el.setAttribute("data-chart-ready", "true");
    });
    return Promise.all(painted);
  }

  function disposeCharts(root) {
    charts.forEach(function (chart, el) {
      if (!document.body.contains(el) || root.contains(el)) {
        chart.dispose();
        charts.delete(el);
      }
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });

  function round(ms) { return Math.round(ms * 10) / 10; }

  function afterRender(root) {
    root.querySelectorAll("[data-filter-form]").forEach(syncDateInputs);
    initSelects(root);
    // Only the swap of the whole view answers a filter change; a sub-region loaded after it
    // (the overdue list) must not take the measurement.
    var whole = root.id === "view" || root.id === "dashboard" || root.querySelector("#view");
    if (whole) document.querySelectorAll("[data-filter-form]").forEach(syncPeriod);
    var started = whole ? pending : null;
    if (whole) pending = null;
    var swapped = performance.now();
    initCharts(root).then(function () {
      requestAnimationFrame(function () {
        if (!started) return;
        var now = performance.now();
        var responded = started.responded || swapped;
        var entry = {
          ms: round(now - started.started),
          response_ms: round(responded - started.started),
          swap_ms: round(swapped - responded),
          charts_ms: round(now - swapped),
          charts: root.querySelectorAll("[data-chart-ready]").length,
          url: location.pathname + location.search,
        };
        window.saTimings.push(entry);
        document.body.dispatchEvent(new CustomEvent("sa:painted", { detail: entry }));
      });
    });
  }

  // ---------- htmx lifecycle ----------

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (target) { destroySelects(target); disposeCharts(target); }
    // Show the server's error fragment (422 for a bad filter, 500, 503) in place of the view.
    var status = evt.detail.xhr.status;
    var columns = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    if (status >= 400 && columns && columns.matches && columns.matches("[data-column-filter-form]")) {
      // A refused column filter keeps the rows on screen; the message says why.
      evt.detail.shouldSwap = false;
      var doc = new DOMParser().parseFromString(evt.detail.xhr.responseText, "text/html");
      var why = doc.querySelector("[role=alert] p, p");
      columnMessage(columns, "Not applied: " + (why ? why.textContent.trim() : "check the numbers") +
        " Showing the last matching rows.");
      return;
    }
    if (status >= 400 && status !== 401) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterRequest", function () {
    if (pending && !pending.responded) pending.responded = performance.now();
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    // An outerHTML swap (chips, clear all) replaces the target itself.
    if (!document.body.contains(target)) target = document.getElementById("dashboard") || document.body;
    afterRender(target);
    showLive();
  });


  document.addEventListener("htmx:historyRestore", function () {
    var root = document.querySelector("[hx-history-elt]") || document.body;
    afterRender(root);
  });

  document.addEventListener("htmx:sendError", function (evt) {
    var target = evt.detail.target || document.getElementById("view");
    if (!target) return;
    target.innerHTML = '<section class="error-state" role="alert"><h2>Could not reach the server</h2>' +
      '<p>Check your connection, then <a href="' + location.href + '">try again</a>.</p></section>';
  });

  // Only the named controls change filters (not tom-select's own search box).
  document.addEventListener("change", function (evt) {
    var form = evt.target.closest && evt.target.closest("[data-filter-form]");
    if (!form || !evt.target.name) return;
    var name = evt.target.name;
    if (name === "date_period" && evt.target.value) {
      form.querySelector("[name=date_op]").value = "between";
    } else if (name === "date_op" || name === "date_from" || name === "date_to") {
      // Typing a day or an operator is a custom range: the period gives way to concrete days.
      var period = form.querySelector("[name=date_period]");
      if (period) period.value = "";
    }
    if (name === "date_op" || name === "date_period") syncDateInputs(form);
    if (typeof htmx !== "undefined") htmx.trigger(form, "filters-changed");
  });

  // Removing a chip or clearing all is a plain link for no-JS users; with htmx it swaps the view.
  document.addEventListener("click", function (evt) {
    var chip = evt.target.closest && evt.target.closest("[data-filter-link]");
    if (chip) pending = { started: performance.now() };
  });

  // ---------- live updates ----------

  // "live", "reconnecting" (the stream dropped; retrying with backoff) or "static".
  var live = "static";
  var BADGES = {
    live: ["live", "badge badge-live", "Updates as tickets change"],
    reconnecting: ["reconnecting", "badge badge-static", "Live updates dropped; reconnecting"],
    static: ["as of", "badge badge-static", "Refreshed when you change a filter"]
  };

  function showLive() {
    var badge = document.querySelector("[data-live-badge]");
    if (!badge) return;
    var shown = BADGES[live];
    badge.textContent = shown[0];
    badge.className = shown[1];
    badge.title = shown[2];
  }

  // The tab's one event stream, shared by everything on the page that listens (the view's
  // refresh here, tickets.js, the header's alert bell in alerts.js): one connection per tab,
  // whatever it shows. Recreated with backoff when the server closes it: a non-200 answer
  // (503 while the database restarts, 429 over the cap) closes an EventSource for good.
  // A new EventSource sends no Last-Event-ID (the browser sends it only on its own
  // reconnects), so the page keeps the last id it saw and hands it over as
  // ?last_event_id=, and the server replays what the gap held.
  // openLiveStream(names, onEvent, onState) subscribes to the named event kinds;
  // onState(state, missed): missed is true when a new stream replaced a closed one without
  // an id to resume from (nothing stored had arrived yet), so the gap is unknown.
  var LIVE_KINDS = ["ticket", "message", "feedback", "bulk", "alert"];
  var shared = { source: null, state: null, timer: null, backoff: 1000, dropped: false, lastId: "", subscribers: [] };

  function dispatchLive(evt) {
    if (evt.lastEventId) shared.lastId = evt.lastEventId;
    shared.subscribers.slice().forEach(function (s) {
      if (s.names.indexOf(evt.type) !== -1) s.onEvent(evt);
    });
  }

  function liveState(state, missed) {
    shared.state = state;
    shared.subscribers.slice().forEach(function (s) { s.onState(state, missed); });
  }

  function openShared() {
    shared.timer = null;
    if (!shared.subscribers.length) return;
    var resume = shared.dropped && shared.lastId ? "?last_event_id=" + encodeURIComponent(shared.lastId) : "";
    var source = new EventSource("/api/v1/events" + resume);
    shared.source = source;
    source.onopen = function () {
      var missed = shared.dropped && !resume;
      shared.backoff = 1000;
      shared.dropped = false;
      liveState("live", missed);
    };
    source.onerror = function () {
      if (shared.source !== source) return;
      liveState("reconnecting", false);
      if (source.readyState === EventSource.CLOSED) {
        shared.source = null;
        shared.dropped = true;
        shared.timer = setTimeout(openShared, shared.backoff + Math.random() * 500);
        shared.backoff = Math.min(shared.backoff * 2, 30000);
      }
    };
    LIVE_KINDS.forEach(function (name) { source.addEventListener(name, dispatchLive); });
  }

  function openLiveStream(names, onEvent, onState) {
    var subscriber = { names: names, onEvent: onEvent, onState: onState };
    shared.subscribers.push(subscriber);
    if (!shared.source && !shared.timer) openShared();
    else if (shared.state) onState(shared.state, false);
    return {
      close: function () {
        shared.subscribers = shared.subscribers.filter(function (s) { return s !== subscriber; });
        if (shared.subscribers.length) return;
        if (shared.source) shared.source.close();
        if (shared.timer) clearTimeout(shared.timer);
        shared.source = null;
        shared.timer = null;
        shared.state = null;
      }
    };
  }
  window.saOpenLiveStream = openLiveStream;

  function connectLive() {
    var region = document.querySelector("[data-live-refresh]");
    if (!region || typeof EventSource === "undefined") return;
    var timer = null;
    // Messages move the responsiveness numbers (first replies, awaiting) and the inbox's
    // SLA and "customer wrote" columns, so they refresh the view like tickets and feedback.
    openLiveStream(["ticket", "message", "feedback", "bulk"], refresh, function (state, missed) {
      live = state;
      showLive();
      if (missed) refresh();
    });
    function refresh() {
      // Coalesce bursts of events into one refresh of the current view.
      if (timer) return;
      timer = setTimeout(function () {
        timer = null;
        var current = document.querySelector("[data-live-refresh]");
        if (!current || typeof htmx === "undefined") return;
        htmx.ajax("GET", location.pathname + location.search, { target: "#view", swap: "innerHTML", headers: { "HX-Target": "view" } });
      }, 400);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    afterRender(document.body);
    connectLive();
  });
})();
