// labelhouse report pages: client-side filters, charts (vega-embed) and sortable tables.
// Everything the page shows is in the page itself (#page-data); nothing is fetched.
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("page-data").textContent);
  var state = Object.assign({}, payload.defaults || {});
  var views = {};
  var tableState = {};
  var objectsCache = {};
  var api = { views: views, ready: false, state: state, filtered: filtered };
  window.labelhouseReport = api;

  function objects(name) {
    if (!objectsCache[name]) {
      var ds = payload.datasets[name];
      objectsCache[name] = ds.rows.map(function (r) {
        var o = {};
        for (var i = 0; i < ds.columns.length; i++) o[ds.columns[i]] = r[i];
        return o;
      });
    }
    return objectsCache[name];
  }

  // A filter column whose value is 'all' holds roll-up rows: shown when the filter is unset,
  // hidden when one value is chosen (so totals are never drawn beside their parts).
  function filtered(name) {
    var ds = payload.datasets[name];
    var rows = objects(name);
    payload.filters.forEach(function (key) {
      if (key === "date") {
        var col = ds.date_column;
        var from = state.date_from, to = state.date_to;
        if (!col || (!from && !to)) return;
        rows = rows.filter(function (r) {
          var d = r[col] == null ? null : String(r[col]).slice(0, 10);
          return d !== null && (!from || d >= from) && (!to || d <= to);
        });
        return;
      }
      if (ds.columns.indexOf(key) < 0) return;
      var v = state[key];
      var hasAll = rows.some(function (r) { return r[key] === "all"; });
      if (!v) {
        if (hasAll) rows = rows.filter(function (r) { return r[key] === "all"; });
      } else {
        rows = rows.filter(function (r) { return r[key] != null && String(r[key]) === v; });
      }
    });
    return rows;
  }

  function format(v, fmt) {
    if (v === null || v === undefined || v === "") return "–";
    if (fmt === "date") return String(v).slice(0, 10);
    if (typeof v === "string" && /^\d{4}-\d\d-\d\dT/.test(v)) {
      return /T00:00:00Z$/.test(v) ? v.slice(0, 10) : v.slice(0, 16).replace("T", " ") + " UTC";
    }
    if (fmt === "text" || typeof v === "string") return String(v);
    if (typeof v === "boolean") return v ? "yes" : "no";
    var n = Number(v);
    if (!isFinite(n)) return String(v);
    switch (fmt) {
      case "pct": return (n * 100).toFixed(1) + "%";
      case "pct1": return (n * 100).toFixed(0) + "%";
      case "int": return Math.round(n).toLocaleString("en-US");
      case "num1": return n.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
      case "num2": return n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      case "hours": return n.toLocaleString("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 }) + " h";
      case "seconds": return Math.round(n).toLocaleString("en-US") + " s";
      case "pvalue": return n < 0.001 ? "< 0.001" : n.toFixed(3);
      case "num3": return n.toFixed(3);
      default:
        if (Number.isInteger(n)) return n.toLocaleString("en-US");
        return n.toLocaleString("en-US", { minimumFractionDigits: 3, maximumFractionDigits: 3 });
    }
  }

  function compare(a, b) {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), "en", { numeric: true });
  }

  function csvCell(v) {
    if (v === null || v === undefined) return "";
    var s = String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function sortedRows(t) {
    var st = tableState[t.id];
    var rows = filtered(t.dataset).slice();
    if (st.col) {
      var dir = st.dir;
      rows.sort(function (a, b) {
        var c = compare(a[st.col], b[st.col]);
        // nulls stay last in both directions
        if (a[st.col] == null || b[st.col] == null) return c;
        return dir * c;
      });
    }
    return rows;
  }

  function renderTable(t) {
    var section = document.getElementById(t.id);
    var st = tableState[t.id];
    var rows = sortedRows(t);
    var pages = Math.max(1, Math.ceil(rows.length / t.page_size));
    if (st.page >= pages) st.page = pages - 1;
    var shown = rows.slice(st.page * t.page_size, (st.page + 1) * t.page_size);
    var hidden = {};
    Object.keys(t.intervals).forEach(function (c) { t.intervals[c].forEach(function (x) { hidden[x] = true; }); });
    var cols = t.columns.filter(function (c) { return !hidden[c]; });
    var html = ['<table class="data"><thead><tr>'];
    cols.forEach(function (c) {
      var arrow = st.col === c ? (st.dir > 0 ? " ▲" : " ▼") : "";
      var numeric = payload.datasets[t.dataset].kinds[c] === "quantitative";
      html.push('<th class="' + (numeric ? "num" : "") + '" data-col="' + c + '" aria-sort="' +
        (st.col === c ? (st.dir > 0 ? "ascending" : "descending") : "none") + '"><button type="button">' +
        escapeHtml(t.labels[c]) + arrow + "</button></th>");
    });
    html.push("</tr></thead><tbody>");
    shown.forEach(function (r) {
      var small = t.n && r[t.n] !== null && r[t.n] < t.min_n;
      html.push('<tr' + (small ? ' class="small-n" title="n < ' + t.min_n + ': too few to rely on"' : "") + ">");
      cols.forEach(function (c) {
        var numeric = payload.datasets[t.dataset].kinds[c] === "quantitative";
        var text = escapeHtml(format(r[c], t.formats[c]));
        var linked = t.formats[c] === "page" && payload.pages ? payload.pages[r[c]] : null;
        if (linked) text = '<a href="' + escapeHtml(linked.href) + '">' + escapeHtml(linked.nav) + "</a>";
        if (t.intervals[c] && r[c] !== null) {
          var lo = r[t.intervals[c][0]], hi = r[t.intervals[c][1]];
          if (lo !== null && hi !== null) {
            text += ' <span class="ci">[' + escapeHtml(format(lo, t.formats[c])) + ", " +
              escapeHtml(format(hi, t.formats[c])) + "]</span>";
          }
        }
        if (small && c === t.n) text += ' <span class="badge">n &lt; ' + t.min_n + "</span>";
        html.push('<td class="' + (numeric ? "num" : "") + '" data-col="' + c + '">' + text + "</td>");
      });
      html.push("</tr>");
    });
    if (!shown.length) html.push('<tr><td colspan="' + cols.length + '" class="empty-row">No rows for the current filters.</td></tr>');
    html.push("</tbody></table>");
    section.querySelector(".table-wrap").innerHTML = html.join("");
    section.querySelector(".table-count").textContent = rows.length.toLocaleString("en-US") + (rows.length === 1 ? " row" : " rows");
    var pager = section.querySelector(".pager");
    pager.innerHTML = pages > 1 ? '<button type="button" data-step="-1"' + (st.page === 0 ? " disabled" : "") +
      '>‹ Prev</button> <span>page ' + (st.page + 1) + " of " + pages + '</span> <button type="button" data-step="1"' +
      (st.page >= pages - 1 ? " disabled" : "") + ">Next ›</button>" : "";
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function setupTable(t) {
    var section = document.getElementById(t.id);
    var sort = t.sort || null;
    tableState[t.id] = { col: sort ? sort.replace(/^-/, "") : null, dir: sort && sort[0] === "-" ? -1 : 1, page: 0 };
    section.querySelector(".table-wrap").addEventListener("click", function (e) {
      var th = e.target.closest("th[data-col]");
      if (!th) return;
      var st = tableState[t.id];
      var col = th.getAttribute("data-col");
      if (st.col === col) st.dir = -st.dir; else { st.col = col; st.dir = payload.datasets[t.dataset].kinds[col] === "quantitative" ? -1 : 1; }
      st.page = 0;
      renderTable(t);
    });
    section.querySelector(".pager").addEventListener("click", function (e) {
      var b = e.target.closest("button[data-step]");
      if (!b) return;
      tableState[t.id].page += Number(b.getAttribute("data-step"));
      renderTable(t);
    });
    section.querySelector("button.csv").addEventListener("click", function () {
      var ds = payload.datasets[t.dataset];
      var lines = [ds.columns.map(csvCell).join(",")];
      sortedRows(t).forEach(function (r) { lines.push(ds.columns.map(function (c) { return csvCell(r[c]); }).join(",")); });
      var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = t.csv_name;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
    renderTable(t);
  }

  function updateChart(c) {
    var view = views[c.id];
    if (!view) return Promise.resolve();
    var rows = filtered(c.dataset);
    var section = document.getElementById(c.id);
    section.querySelector(".empty").hidden = rows.length > 0;
    section.querySelector(".chart").classList.toggle("is-empty", rows.length === 0);
    // fresh objects: Vega annotates the tuples it is given
    return view.data("rows", rows.map(function (r) { return Object.assign({}, r); })).runAsync();
  }

  function apply() {
    payload.tables.forEach(renderTable);
    return Promise.all(payload.charts.map(updateChart));
  }

  function setupFilters() {
    var form = document.getElementById("filters");
    if (!form) return;
    form.addEventListener("change", function (e) {
      var key = e.target.getAttribute("data-filter");
      if (!key) return;
      state[key] = e.target.value || "";
      payload.tables.forEach(function (t) { tableState[t.id].page = 0; });
      apply();
    });
    document.getElementById("filter-reset").addEventListener("click", function () {
      form.querySelectorAll("[data-filter]").forEach(function (el) {
        var key = el.getAttribute("data-filter");
        el.value = (payload.defaults || {})[key] || "";
        state[key] = el.value;
      });
      apply();
    });
  }

  setupFilters();
  payload.tables.forEach(setupTable);
  var embeds = payload.charts.map(function (c) {
    var el = document.getElementById(c.id + "-chart");
    // the first draw already has the rows (no empty-extent warnings); filters then swap them
    var spec = Object.assign({}, c.spec, { datasets: { rows: filtered(c.dataset) } });
    return window.vegaEmbed(el, spec, { actions: false, renderer: "svg", tooltip: { theme: "light" } })
      .then(function (res) { views[c.id] = res.view; return updateChart(c); })
      .catch(function (err) { console.error("chart " + c.id + " failed: " + err); });
  });
  Promise.all(embeds).then(function () {
    api.ready = true;
    document.body.setAttribute("data-ready", "1");
  });
})();
