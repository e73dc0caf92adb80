// Draws every chart of the report from the options in FHI_CHARTS (built in Go, see build.go).
// The SVG renderer keeps the charts vector-sharp in a printed PDF.
(function () {
  "use strict";
  var charts = [];

  // renderErrorBar draws one Monte Carlo rank interval: a vertical line from the 5th to the
  // 95th percentile rank with caps (data item: [x index, p05, p95]).
  function renderErrorBar(params, api) {
    var x = api.value(0);
    var lo = api.coord([x, api.value(1)]);
    var hi = api.coord([x, api.value(2)]);
    var w = Math.max(3, api.size([1, 0])[0] * 0.25);
    var style = api.style({ stroke: api.visual("color"), fill: null, lineWidth: 1.5 });
    return {
      type: "group",
      children: [
        { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: style },
        { type: "line", shape: { x1: lo[0] - w, y1: lo[1], x2: lo[0] + w, y2: lo[1] }, style: style },
        { type: "line", shape: { x1: hi[0] - w, y1: hi[1], x2: hi[0] + w, y2: hi[1] }, style: style }
      ]
    };
  }

  function draw() {
    var nodes = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var opt = FHI_CHARTS[el.getAttribute("data-chart")];
      if (!opt) {
        console.error("fhi report: no options for chart " + el.getAttribute("data-chart"));
        continue;
      }
      (opt.series || []).forEach(function (s) {
        if (s.type === "custom" && s.id === "errorbar") {
          s.renderItem = renderErrorBar;
        }
      });
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(opt);
      el.setAttribute("data-drawn", "true");
      charts.push(chart);
    }
  }

  function resizeAll() {
    charts.forEach(function (c) { c.resize(); });
  }

  window.addEventListener("resize", resizeAll);
  // Printing changes the page width: redraw for it and back.
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  if (window.matchMedia) {
    var mq = window.matchMedia("print");
    if (mq.addEventListener) {
      mq.addEventListener("change", resizeAll);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
