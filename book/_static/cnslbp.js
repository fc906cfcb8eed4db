/* cnslbp-book: tie each number check's tooltip to its link for assistive technology,
   and let Escape dismiss a tooltip without moving focus. */
(function () {
  function connect() {
    var links = document.querySelectorAll("a.cnslbp-num");
    links.forEach(function (link, index) {
      var tip = link.querySelector(".cnslbp-tip");
      if (!tip) {
        return;
      }
      tip.id = "cnslbp-tip-" + index;
      link.setAttribute("aria-describedby", tip.id);
      link.addEventListener("blur", function () {
        link.classList.remove("cnslbp-num--dismissed");
      });
      link.addEventListener("mouseleave", function () {
        link.classList.remove("cnslbp-num--dismissed");
      });
    });
    document.addEventListener("keydown", function (event) {
      var active = document.activeElement;
      if (event.key === "Escape" && active && active.classList.contains("cnslbp-num")) {
        active.classList.add("cnslbp-num--dismissed");
      }
    });
  }
  /* On pages with charts, MathJax starts once every chart is drawn (or 3 s after load at the latest). */
  function typesetAfterCharts() {
    var source = window.CNSLBP_MATHJAX;
    if (!source) {
      return;
    }
    var started = false;
    function start() {
      if (started) {
        return;
      }
      started = true;
      var script = document.createElement("script");
      script.src = source;
      document.head.appendChild(script);
    }
    var charts = document.querySelectorAll(".cnslbp-chart");
    function drawn() {
      return Array.prototype.every.call(charts, function (chart) {
        return chart.querySelector("svg");
      });
    }
    if (drawn()) {
      start();
      return;
    }
    var observer = new MutationObserver(function () {
      if (drawn()) {
        observer.disconnect();
        start();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
    window.addEventListener("load", function () {
      window.setTimeout(start, 3000);
    });
  }
  function ready() {
    connect();
    typesetAfterCharts();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
