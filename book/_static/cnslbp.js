/* cnslbp-book, on every page (deferred: it runs once the page is parsed).
   - Number checks: tie each tooltip to its link for assistive technology; Escape dismisses it;
     on a touch screen the first tap opens the note and a second follows the link.
   - Charts: each is already drawn as a static SVG. An interactive chart (tooltips, sliders) is
     drawn live from its spec only when it comes near the viewport or is touched, with the site's
     own Vega bundle, which is loaded then and only on pages that have such a chart.
   - Math: MathJax is loaded after the page, only where there is math, when the math nears the
     viewport; a print typesets every formula first (typesetForPrint).
   - window.cnslbpDrawAll() draws every chart live and typesets all math at once (for printing
     and tests); it returns a Promise. */
(function () {
  "use strict";

  var lastPointer = "mouse";
  document.addEventListener(
    "pointerdown",
    function (event) {
      lastPointer = event.pointerType;
    },
    true
  );

  function connectNumberChecks() {
    var links = document.querySelectorAll(".cnslbp-num, .cnslbp-external");
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
      /* on a touch screen there is no hover: the first tap opens the note, a second tap follows the link */
      link.addEventListener("click", function (event) {
        if (lastPointer === "touch" && !link.classList.contains("cnslbp-num--open")) {
          event.preventDefault();
          document.querySelectorAll(".cnslbp-num--open").forEach(function (other) {
            other.classList.remove("cnslbp-num--open");
          });
          link.classList.add("cnslbp-num--open");
          link.focus();
        }
      });
      link.addEventListener("blur", function () {
        link.classList.remove("cnslbp-num--open");
      });
    });
    document.addEventListener("keydown", function (event) {
      var active = document.activeElement;
      if (event.key === "Escape" && active && active.classList.contains("cnslbp-num")) {
        active.classList.add("cnslbp-num--dismissed");
      }
    });
  }

  var loading = {};
  function load(source) {
    if (!loading[source]) {
      loading[source] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = source;
        script.async = true;
        script.onload = resolve;
        script.onerror = function () {
          reject(new Error("could not load " + source));
        };
        document.head.appendChild(script);
      });
    }
    return loading[source];
  }

  /* A phone's column: its own static drawing (cnslbp.css) and, for the live chart, the same changes to the
     spec (bigger type, long axis titles on two lines; NARROW_WIDTH and narrow_patch in charts/render.py). */
  var NARROW_MEDIA = "(max-width: 575.98px)";

  function jsonOf(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function patched(spec, patch) {
    (patch || []).forEach(function (change) {
      var path = change[0];
      var node = spec;
      for (var step = 0; step < path.length - 1; step += 1) {
        node = node[path[step]];
      }
      node[path[path.length - 1]] = change[1];
    });
    return spec;
  }

  /* Draw one interactive chart live. The static drawings stay in the page, hidden once the live one is
     ready (cnslbp.css), so a print shows the chart as its caption describes it, at its starting values. */
  var EMBED_OPTIONS = { renderer: "svg", actions: false, mode: "vega-lite" };
  function drawLive(chart) {
    if (chart.cnslbpLive) {
      return chart.cnslbpLive;
    }
    var specNode = document.getElementById(chart.id + "-spec");
    if (!specNode || !window.CNSLBP_VEGA) {
      chart.cnslbpLive = Promise.resolve();
      return chart.cnslbpLive;
    }
    chart.cnslbpLive = load(window.CNSLBP_VEGA)
      .then(function () {
        var staticSvg = chart.querySelector("svg.cnslbp-static");
        var live = document.createElement("div");
        live.className = "cnslbp-chart-live cnslbp-chart-live--pending";
        var view = document.createElement("div");
        view.className = "cnslbp-chart-view";
        var controls = document.createElement("div");
        controls.className = "cnslbp-chart-controls";
        live.append(view, controls);
        chart.appendChild(live);
        var spec = JSON.parse(specNode.textContent);
        if (window.matchMedia(NARROW_MEDIA).matches) {
          spec = patched(spec, jsonOf(chart.id + "-narrow"));
        }
        var options = Object.assign({}, EMBED_OPTIONS, { bind: controls });
        return window.vegaEmbed(view, spec, options).then(function () {
          var drawing = view.querySelector("svg");
          if (staticSvg) {
            /* the static drawing's name; its description, ending with what the controls do */
            drawing.setAttribute("role", "img");
            drawing.setAttribute("aria-label", staticSvg.getAttribute("aria-label"));
            var text = specNode.getAttribute("data-live-description");
            if (text) {
              var description = document.createElementNS("http://www.w3.org/2000/svg", "desc");
              description.id = chart.id + "-live-desc";
              description.textContent = text;
              drawing.insertBefore(description, drawing.firstChild);
              drawing.setAttribute("aria-describedby", description.id);
            }
          }
          live.classList.remove("cnslbp-chart-live--pending");
          chart.classList.add("cnslbp-chart--live");
          if (!controls.childElementCount) {
            controls.remove();
          }
        });
      })
      .catch(function (error) {
        /* the static drawing stays: the chart is still there, only not interactive */
        console.error("cnslbp: chart " + chart.id + " could not be drawn live", error);
      });
    return chart.cnslbpLive;
  }

  function interactiveCharts() {
    return Array.prototype.slice.call(document.querySelectorAll(".cnslbp-chart--interactive"));
  }

  /* Call draw(element) once each element comes within margin of the viewport. */
  function whenNear(elements, margin, draw) {
    if (!elements.length) {
      return;
    }
    if (!("IntersectionObserver" in window)) {
      elements.forEach(draw);
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            draw(entry.target);
          }
        });
      },
      { rootMargin: margin + " 0px" }
    );
    elements.forEach(function (element) {
      observer.observe(element);
    });
  }

  /* touched (pointer, focus, finger): draw now, whatever the time */
  function drawWhenTouched() {
    interactiveCharts().forEach(function (chart) {
      ["pointerenter", "focusin", "touchstart"].forEach(function (kind) {
        chart.addEventListener(
          kind,
          function () {
            drawLive(chart);
          },
          { once: true, passive: true }
        );
      });
    });
  }

  var typesetting = null;
  function typeset() {
    if (!window.CNSLBP_MATHJAX) {
      return Promise.resolve();
    }
    if (!typesetting) {
      typesetting = load(window.CNSLBP_MATHJAX).then(function () {
        return window.MathJax.startup.promise;
      });
    }
    return typesetting;
  }

  function watchMath() {
    var formulas = Array.prototype.slice.call(document.querySelectorAll(".math"));
    var started = false;
    whenNear(formulas, "300px", function () {
      if (!started) {
        started = true;
        typeset();
      }
    });
  }

  /* Printing lays the page out right after "beforeprint" and waits for nothing asynchronous, so a
     formula not yet typeset would print as raw TeX. Within the event: if MathJax has not been loaded,
     load it now, synchronously, in its SVG form (CNSLBP_MATHJAX_PRINT), whose glyphs are paths that
     need no web font to arrive before the print is laid out; the one file holds every component, and
     its startup, which typesets the page, runs on promises that finish within the event. If MathJax
     is loaded, typeset whatever it has not. A page opened from disk cannot fetch synchronously: there
     MathJax is loaded as soon as the browser is idle instead (see the end of this file). */
  function mathJaxReady() {
    return Boolean(window.MathJax && window.MathJax.typeset && window.MathJax.startup);
  }

  function loadMathJaxNow(source) {
    var request = new XMLHttpRequest();
    try {
      request.open("GET", source, false);
      request.send();
    } catch (error) {
      return false;
    }
    if (request.status !== 200) {
      return false;
    }
    /* an inline script has no src from which MathJax could find its own folder: name it */
    var root = new URL(source, document.baseURI).href.replace(/\/[^/]*$/, "");
    window.MathJax = window.MathJax || {};
    window.MathJax.loader = Object.assign({}, window.MathJax.loader, {
      paths: Object.assign({}, (window.MathJax.loader || {}).paths, { mathjax: root }),
    });
    var script = document.createElement("script");
    script.text = request.responseText;
    document.head.appendChild(script);
    loading[window.CNSLBP_MATHJAX] = (window.MathJax.startup && window.MathJax.startup.promise) || Promise.resolve();
    return true;
  }

  function typesetForPrint() {
    if (!window.CNSLBP_MATHJAX || !document.querySelector(".math")) {
      return;
    }
    if (mathJaxReady()) {
      window.MathJax.typeset();
    } else if (!loading[window.CNSLBP_MATHJAX]) {
      loadMathJaxNow(window.CNSLBP_MATHJAX_PRINT || window.CNSLBP_MATHJAX);
    }
  }
  window.cnslbpDrawAll = function () {
    return Promise.all(interactiveCharts().map(drawLive).concat([typeset()])).then(function () {
      return interactiveCharts().length;
    });
  };

  /* After the page has loaded and the browser is idle: nothing here competes with the first paint. */
  function afterLoad(callback) {
    function idle() {
      if (window.requestIdleCallback) {
        window.requestIdleCallback(callback, { timeout: 1500 });
      } else {
        window.setTimeout(callback, 200);
      }
    }
    if (document.readyState === "complete") {
      idle();
    } else {
      window.addEventListener("load", idle, { once: true });
    }
  }

  connectNumberChecks();
  drawWhenTouched();
  window.addEventListener("beforeprint", typesetForPrint);
  afterLoad(function () {
    whenNear(interactiveCharts(), "200px", drawLive);
    if (location.protocol === "file:") {
      typeset(); /* from disk, printing could not load MathJax in time: typeset the page now */
    } else {
      watchMath();
    }
  });
})();
