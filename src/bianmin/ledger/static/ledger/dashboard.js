/* Supervisors' dashboard: draws the figures embedded in the page (json_script) with the
   vendored ECharts. No network: the library and the data are both served by Bianmin. */
(function () {
  "use strict";
  function init() {
    var node = document.getElementById("dashboard-data");
    if (!node || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(node.textContent);
    var meta = data.indicators;
    var labels = data.labels;
    var charts = [];
    function name(code) { return meta[code] ? meta[code].name : code; }
    function draw(key, option) {
      var el = document.querySelector('[data-chart="' + key + '"]');
      if (!el) { return; }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      option.tooltip = option.tooltip || { trigger: "axis" };
      option.grid = option.grid || { left: 50, right: 50, top: 40, bottom: 60, containLabel: true };
      option.aria = { enabled: true };
      chart.setOption(option);
      el.setAttribute("data-rendered", "1");
      charts.push(chart);
    }
    function line(code, axis) {
      return { name: name(code), type: "line", smooth: true, yAxisIndex: axis || 0,
               data: data.trend[code] || [], connectNulls: false };
    }
    var volume = ["cases.received", "cases.closed"].filter(function (c) { return c in data.trend; });
    draw("volume", {
      legend: { top: 0 }, xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: labels.cases },
      series: volume.map(function (c) { return { name: name(c), type: "bar", data: data.trend[c] }; })
    });
    var rates = ["cases.on_time_rate", "evaluation.satisfaction_rate"].filter(function (c) { return c in data.trend; });
    draw("rates", {
      legend: { top: 0 }, xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: "%", max: 100 },
      series: rates.map(function (c) { return line(c); })
    });
    var depts = data.overdue_by_department;
    draw("overdue", {
      legend: { top: 0 }, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: depts.map(function (d) { return d.name; }) },
      series: [
        { name: labels.overdue, type: "bar", stack: "n", color: "#d64541", data: depts.map(function (d) { return d.overdue; }) },
        { name: labels.warning, type: "bar", stack: "n", color: "#e6a23c", data: depts.map(function (d) { return d.warning; }) }
      ]
    });
    var units = data.units.map(function (u) { return u.name; });
    var unitSeries = [];
    if ("cases.received" in data.by_unit) {
      unitSeries.push({ name: name("cases.received"), type: "bar", data: data.by_unit["cases.received"] });
    }
    if ("cases.on_time_rate" in data.by_unit) {
      unitSeries.push({ name: name("cases.on_time_rate"), type: "line", yAxisIndex: 1,
                        data: data.by_unit["cases.on_time_rate"] });
    }
    draw("units", {
      legend: { top: 0 }, xAxis: { type: "category", data: units, axisLabel: { rotate: 30 } },
      yAxis: [{ type: "value", name: labels.cases }, { type: "value", name: "%", max: 100 }],
      series: unitSeries
    });
    var pop = Object.keys(data.key_population);
    draw("population", {
      legend: { top: 0, type: "scroll" }, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: units, axisLabel: { rotate: 30 } },
      yAxis: [{ type: "value", name: labels.people }, { type: "value", name: "%", max: 100 }],
      series: pop.map(function (c) {
        var rate = meta[c] && meta[c].unit === "%";
        return { name: name(c), type: rate ? "line" : "bar", yAxisIndex: rate ? 1 : 0,
                 data: data.key_population[c] };
      })
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
