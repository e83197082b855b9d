/* foresight: the interactive projection figure (see foresight.mortality.explorer).
   Plain JavaScript, no library, no request: the projections are precomputed at
   build time and embedded in the page as JSON; moving a slider looks them up. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = { male: "#0072B2", female: "#D55E00" };

  function el(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function init(root) {
    var data = JSON.parse(root.querySelector("script.explorer-data").textContent);
    var target = root.querySelector('input[name="target"]');
    var power = root.querySelector('input[name="power"]');
    var svg = root.querySelector("svg.explorer-chart");
    var np = data.powers.length;
    var col = {};
    data.columns.forEach(function (c, i) { col[c] = i; });
    var all = [];
    data.rows.forEach(function (r) { all.push(r[col.e0_male], r[col.e0_female]); });
    var ymin = Math.floor(Math.min.apply(null, all)), ymax = Math.ceil(Math.max.apply(null, all));
    var W = 640, H = 280, L = 56, R = 16, T = 16, B = 44;
    var tmax = data.targets[data.targets.length - 1];
    function x(t) { return L + (W - L - R) * t / tmax; }
    function y(v) { return T + (H - T - B) * (ymax - v) / (ymax - ymin); }
    function row(ti, pi) { return data.rows[ti * np + pi]; }

    function draw(ti, pi) {
      while (svg.firstChild) { svg.removeChild(svg.firstChild); }
      svg.appendChild(el("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "currentColor" }));
      svg.appendChild(el("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "currentColor" }));
      for (var v = ymin; v <= ymax; v += Math.max(1, Math.round((ymax - ymin) / 5))) {
        svg.appendChild(el("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, String(v)));
      }
      [0, 0.005, 0.01, 0.015, 0.02, 0.025].forEach(function (t) {
        svg.appendChild(el("text", { x: x(t), y: H - B + 18, "text-anchor": "middle" }, (100 * t).toFixed(1) + "%"));
      });
      svg.appendChild(el("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle" },
        "long-term improvement target (a year)"));
      svg.appendChild(el("text", { x: 14, y: T + (H - T - B) / 2, "text-anchor": "middle",
        transform: "rotate(-90 14 " + (T + (H - T - B) / 2) + ")" }, "e0 in " + data.year));
      ["male", "female"].forEach(function (sex) {
        var c = col["e0_" + sex], pts = [];
        for (var i = 0; i < data.targets.length; i++) { pts.push(x(data.targets[i]) + "," + y(row(i, pi)[c])); }
        svg.appendChild(el("polyline", { points: pts.join(" "), fill: "none", stroke: COLOURS[sex], "stroke-width": 2 }));
        var here = row(ti, pi)[c];
        svg.appendChild(el("circle", { cx: x(data.targets[ti]), cy: y(here), r: 5, fill: COLOURS[sex] }));
        svg.appendChild(el("text", { x: W - R - 4, y: y(row(data.targets.length - 1, pi)[c]) - 8,
          "text-anchor": "end", fill: COLOURS[sex] }, sex + "s"));
      });
    }

    function update() {
      var ti = parseInt(target.value, 10), pi = parseInt(power.value, 10), r = row(ti, pi);
      root.querySelector('output[name="target-value"]').textContent = (100 * data.targets[ti]).toFixed(1) + "% a year";
      root.querySelector('output[name="power-value"]').textContent = data.powers[pi].toFixed(2);
      Array.prototype.forEach.call(root.querySelectorAll(".value[data-col]"), function (s) {
        s.textContent = r[col[s.getAttribute("data-col")]].toFixed(1);
      });
      // the sentence under the read-outs follows the exponent slider
      var share = data.female_share === undefined ? 0.5 : data.female_share;
      var text = {
        "power": data.powers[pi].toFixed(2),
        "power-female": (1 + share * (data.powers[pi] - 1)).toFixed(3),
        "e0m-lo": row(0, pi)[col.e0_male].toFixed(1),
        "e0m-hi": row(data.targets.length - 1, pi)[col.e0_male].toFixed(1)
      };
      Array.prototype.forEach.call(root.querySelectorAll("[data-text]"), function (s) {
        var key = s.getAttribute("data-text");
        if (text[key] !== undefined) { s.textContent = text[key]; }
      });
      root.setAttribute("data-state", ti + "," + pi);
      draw(ti, pi);
    }

    target.addEventListener("input", update);
    power.addEventListener("input", update);
    update();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".foresight-explorer"), init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
