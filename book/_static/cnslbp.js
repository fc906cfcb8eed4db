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
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
