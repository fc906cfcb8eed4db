/* cnslbp-book self-checks (cnslbp_lib/publish/build/self_check.py writes their HTML); loaded only on pages
   that have one, deferred, with no request to anywhere.
   - Shows each check's button (hidden for readers without JavaScript, who get a noscript note).
   - A multiple-choice check: the chosen answer's feedback, from the list of reasons the page already
     holds for readers without JavaScript, goes into the check's live region (role="status").
   - A numeric check: the answer typed (a true minus, a hyphen or a decimal comma are all fine) is
     right within the tolerance, then a known slip, then close, then further off.
   Changing the answer clears the feedback, so what is shown always belongs to the answer shown. */
(function () {
  "use strict";

  var PREFIX = "cnslbp-selfcheck";

  /* The feedback text of one reason, without ids (they stay unique) and without the tooltips'
     wiring (the copy is read once, in the live region). */
  function reasonCopy(reason) {
    var copy = reason.querySelector("." + PREFIX + "__why").cloneNode(true);
    copy.querySelectorAll("[id]").forEach(function (node) {
      node.removeAttribute("id");
    });
    copy.querySelectorAll("[aria-describedby]").forEach(function (node) {
      node.removeAttribute("aria-describedby");
    });
    return copy;
  }

  function show(check, verdict, words, reason) {
    var region = check.querySelector("." + PREFIX + "__feedback");
    var line = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = words;
    line.appendChild(strong);
    if (reason) {
      line.appendChild(document.createTextNode(" "));
      line.appendChild(reasonCopy(reason));
    }
    check.setAttribute("data-state", verdict);
    /* empty first, so the same answer checked twice is announced twice */
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = "";
      region.appendChild(line);
    }, 50);
  }

  function clear(check) {
    check.removeAttribute("data-state");
    check.querySelector("." + PREFIX + "__feedback").textContent = "";
    check.querySelectorAll("." + PREFIX + "__choice").forEach(function (choice) {
      choice.removeAttribute("data-state");
    });
  }

  function checkChoice(check) {
    var chosen = check.querySelector("input[type=radio]:checked");
    if (!chosen) {
      show(check, "", "Choose one of the answers first.", null);
      return;
    }
    var reason = document.getElementById(chosen.id + "-why");
    var verdict = reason.getAttribute("data-verdict");
    var letter = chosen.value.toUpperCase();
    chosen.closest("." + PREFIX + "__choice").setAttribute("data-state", verdict);
    show(check, verdict, verdict === "right" ? letter + " is right." : letter + " is not right.", reason);
  }

  /* "−65", "-65", "+12", "4,5", " 11 " → numbers; anything else → NaN */
  function parseAnswer(text) {
    var cleaned = text.trim().replace(/\u2212|\u2013/g, "-").replace(/\s+/g, "");
    if (cleaned.indexOf(",") >= 0 && cleaned.indexOf(".") < 0) {
      cleaned = cleaned.replace(",", ".");
    }
    return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(cleaned) ? Number(cleaned) : NaN;
  }

  function checkNumber(check) {
    var field = check.querySelector("input[type=text]");
    var given = parseAnswer(field.value);
    if (isNaN(given)) {
      show(check, "", "Type a number, such as 12 or \u22123.", null);
      return;
    }
    var answer = Number(field.getAttribute("data-answer"));
    var tolerance = Number(field.getAttribute("data-tolerance"));
    var close = Number(field.getAttribute("data-close"));
    var slack = 1e-9 * Math.max(1, Math.abs(answer));
    var base = check.id;
    if (Math.abs(given - answer) <= tolerance + slack) {
      show(check, "right", "Right.", document.getElementById(base + "-right"));
      return;
    }
    var slips = check.querySelectorAll("[data-value]");
    for (var index = 0; index < slips.length; index += 1) {
      if (Math.abs(given - Number(slips[index].getAttribute("data-value"))) <= tolerance + slack) {
        show(check, "wrong", "Not right.", slips[index]);
        return;
      }
    }
    if (Math.abs(given - answer) <= close + slack) {
      show(check, "close", "Close, but not right.", document.getElementById(base + "-close"));
      return;
    }
    show(check, "wrong", "Not right.", document.getElementById(base + "-wrong"));
  }

  function connect(check) {
    var button = check.querySelector("." + PREFIX + "__check");
    var numeric = check.getAttribute("data-kind") === "number";
    button.hidden = false;
    button.addEventListener("click", function () {
      if (numeric) {
        checkNumber(check);
      } else {
        checkChoice(check);
      }
    });
    check.querySelectorAll("input").forEach(function (input) {
      input.addEventListener(numeric ? "input" : "change", function () {
        clear(check);
      });
    });
    if (numeric) {
      check.querySelector("input[type=text]").addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          checkNumber(check);
        }
      });
    }
  }

  document.querySelectorAll("." + PREFIX).forEach(connect);
})();
