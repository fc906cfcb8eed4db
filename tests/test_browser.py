"""The website in a real browser, with JavaScript: Debian's Chromium, offline, accessible, interactive.

The built site is served on 127.0.0.1 and every request to any other host is
refused. Skipped, with a message, only when Chromium is not installed; CI
installs it. Each page is opened once at desktop width for the checks every
page gets (errors, accessibility, layout and screenshot, tooltips); what the
site shows without JavaScript, at phone width and on paper is in
``test_browser_static.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from .browser import (
    CHAPTERS,
    CHART_PAGES,
    WIDTHS,
    Visit,
    interactive_chapters,
    needs_chromium,
    screenshot_at_width,
    site_pages,
)

pytestmark = [
    needs_chromium,
    pytest.mark.slow(seconds=170, reason="drives Chromium over every page (and builds the book's site)"),
]


@pytest.fixture(scope="module", params=site_pages())
def desktop_page(request, browser, base_url) -> Iterator[Visit]:
    """Each page of the site, opened once at desktop width with every chart drawn live and all math typeset;
    pytest runs every test that uses it on one page before it opens the next."""
    page = Visit(browser, base_url, request.param)
    page.idle()  # the page's own after-load work first, as a reader gets it
    page.draw_all()
    page.settle()  # everything it requested has arrived, or failed, before the checks look
    yield page
    page.close()


def test_page_loads_with_no_errors_failed_or_outside_requests(desktop_page):
    assert desktop_page.errors == []
    assert desktop_page.failed == []
    assert desktop_page.outside == []


# axe's rules in its default run (enabled, not experimental) that can report a serious or critical violation: a
# rule's impact is its own or the highest of its checks'. The others (landmarks, heading order, "region": all
# moderate or minor) are not run, as the test below would ignore what they found; "region" alone walks every
# element of a page and took a third of axe's time on the library reference
SERIOUS_RULES = """axe._audit.rules.filter(rule => rule.enabled && !rule.tags.includes('experimental')
    && [rule.impact, ...[...rule.any, ...rule.all, ...rule.none].map(check => axe._audit.data.checks[check.id]?.impact)]
        .some(impact => impact === 'serious' || impact === 'critical')).map(rule => rule.id)"""


def test_no_serious_or_critical_accessibility_violations(desktop_page):
    from axe_playwright_python.sync_playwright import Axe

    # the live charts and their controls are checked too (the fixture drew them). On the library reference
    # pages (autodoc's markup, up to 70,000 px tall) colour contrast, half of axe's time there, is left to the
    # chapters: the reference adds no colours of its own, its text and code use the theme's and Pygments'
    # colours that every chapter page shows and is checked for
    axe = Axe()
    desktop_page.tab.evaluate(axe.axe_script)
    rules = desktop_page.tab.evaluate(SERIOUS_RULES)
    assert {"aria-allowed-attr", "button-name", "color-contrast", "image-alt", "link-name"} <= set(rules)
    assert "region" not in rules  # moderate at most
    if desktop_page.path.startswith("book/reference_"):
        rules.remove("color-contrast")
    # only violations come back: passes and incomplete results, with every node they looked at, are not sent
    results = axe.run(
        desktop_page.tab, options={"resultTypes": ["violations"], "runOnly": {"type": "rule", "values": rules}}
    )
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['nodes'][0]['target']}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert serious == []


def test_screenshot_at_desktop_width(desktop_page):
    screenshot_at_width(desktop_page, "desktop")


def test_only_the_books_chapters_draw_charts(reconstruction_site):
    for path in sorted(set(CHAPTERS) - set(CHART_PAGES)):
        assert 'class="cnslbp-chart' not in (reconstruction_site / path).read_text(encoding="utf-8"), path


def test_most_chapters_with_results_have_interactive_charts(reconstruction_site):
    assert len(interactive_chapters(reconstruction_site)) >= 5


def test_every_chart_renders_and_shows_a_tooltip_on_hover(desktop_page):
    page, path = desktop_page, desktop_page.path
    charts = page.tab.locator(".cnslbp-chart")
    if path not in CHART_PAGES:  # the reproduce page, the library reference, search and index draw none
        assert charts.count() == 0, path
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.locator(".cnslbp-chart-live svg").count() == 1
        # the static drawings stay in the page, for print, hidden
        assert chart.locator("svg.cnslbp-static:visible").count() == 0, "the live chart did not replace the static one"
        assert chart.locator(".cnslbp-chart-live svg").get_attribute("aria-label"), "chart has no text alternative"
        shown = False
        for mark in chart.locator('[role="graphics-symbol"]').all()[:40]:
            box = mark.bounding_box()
            if not box or box["width"] * box["height"] == 0:
                continue
            tooltip = page.tab.locator("#vg-tooltip-element.visible")
            # a dotted rule is hit only on its dashes: its centre may fall in a gap, so try a few points along it
            for share in (0.5, 0.25, 0.75):
                mark.hover(force=True, position={"x": box["width"] * share, "y": box["height"] * share})
                if tooltip.count() and tooltip.inner_text().strip():
                    shown = True
                    break
            if shown:
                break
        assert shown, f"chart {index + 1} on {path} showed no tooltip"


@pytest.mark.parametrize("path", ["book/design.html", "book/primary_outcomes.html"])
def test_math_is_typeset_from_the_sites_own_mathjax(visit, path):
    page = visit(path)
    page.draw_all()
    page.tab.wait_for_function("document.querySelectorAll('.math:not(:has(mjx-container))').length === 0")
    assert page.tab.locator("mjx-container").count() > 0


CHECK_PAGES = ["book/start_here.html", "book/design.html", "book/primary_outcomes.html",
               "book/secondary_outcomes.html", "book/association.html", "book/limitations.html"]  # fmt: skip


@pytest.mark.parametrize("path", CHECK_PAGES)
def test_every_number_check_opens_with_the_paper_and_the_recomputed_value(visit, path):
    page = visit(path)
    checks = page.tab.locator("a.cnslbp-num:not(.cnslbp-prov)")
    assert checks.count() > 0
    for index in range(checks.count()):
        check = checks.nth(index)
        check.focus()
        tip = check.locator(".cnslbp-tip")
        assert tip.is_visible()
        text = tip.inner_text()
        assert "Paper:" in text and "Recomputed:" in text and "Verdict:" in text
        assert check.get_attribute("aria-describedby") == tip.get_attribute("id")


@pytest.mark.parametrize("path", ["book/primary_outcomes.html", "book/association.html", "book/stages.html"])
def test_every_ranged_number_opens_with_its_class_and_its_spread_across_datasets(visit, path):
    page = visit(path)
    ranged = page.tab.locator("a.cnslbp-prov")
    assert ranged.count() > 0
    for index in range(ranged.count()):
        number = ranged.nth(index)
        if not number.is_visible():  # inside a closed solution: a reader opens it first
            continue
        number.focus()
        tip = number.locator(".cnslbp-tip")
        assert tip.is_visible()
        text = tip.inner_text()
        # its basis said: drawn datasets (a sample, so named), exact bounds, or what it is computed from
        said = (
            "drawn dataset",
            "Allowed by the abstract",
            "every dataset the abstract allows",
            "computed from",
            "printed in the abstract",
            "an assumption of this book",
        )
        assert any(words in text for words in said), text
        assert number.get_attribute("aria-describedby") == tip.get_attribute("id")
        shown = number.locator(".cnslbp-range")
        if shown.count():  # a range says whether it is a bound or a sample
            assert shown.inner_text().startswith((" [drawn 90%: ", " [allowed: "))


def test_keyboard_focus_reaches_the_number_checks_and_escape_hides_the_tooltip(visit):
    page = visit("book/start_here.html")
    for _ in range(150):
        page.tab.keyboard.press("Tab")
        if page.tab.evaluate("document.activeElement.classList.contains('cnslbp-num')"):
            break
    else:
        pytest.fail("Tab never reached a number check")
    tip = page.tab.locator(":focus .cnslbp-tip")
    assert tip.is_visible()
    page.tab.keyboard.press("Escape")
    assert not tip.is_visible()


def test_a_number_check_leads_to_its_row_in_the_audit(visit):
    page = visit("book/primary_outcomes.html")
    page.tab.locator('a.cnslbp-num[data-key="pseq_p_val"]').first.click()
    page.tab.wait_for_url(re.compile(r"number_audit\.html#audit-pseq_p_val$"))
    row = page.tab.locator("#audit-pseq_p_val")
    assert "DIFFERS" in row.inner_text()


def test_on_a_touch_screen_the_first_tap_opens_the_note_and_the_second_follows_the_link(browser, base_url):
    context = browser.new_context(viewport=WIDTHS["phone"], has_touch=True, is_mobile=True)
    tab = context.new_page()
    try:
        tab.goto(f"{base_url}/book/primary_outcomes.html")
        number = tab.locator('a.cnslbp-num[data-key="pseq_p_val"]').first
        number.scroll_into_view_if_needed()
        number.tap()
        tab.wait_for_timeout(200)
        assert tab.url.endswith("primary_outcomes.html")
        assert number.locator(".cnslbp-tip").is_visible()
        number.tap()
        tab.wait_for_url(re.compile(r"number_audit\.html#audit-pseq_p_val$"))
    finally:
        context.close()


def test_next_link_and_glossary_links_navigate(visit):
    page = visit("book/start_here.html")
    page.tab.locator("a.right-next").click()
    page.tab.wait_for_url(re.compile(r"background\.html$"))
    page.tab.goto(page.tab.url.replace("background.html", "design.html"))
    term = page.tab.locator('a[href^="glossary.html#term-"]').first
    target = term.get_attribute("href").split("#")[1]
    term.click()
    page.tab.wait_for_url(re.compile(r"glossary\.html#"))
    assert page.tab.locator(f"#{target}").is_visible()


def test_search_finds_pages_offline(visit):
    page = visit("search.html?q=regression")
    page.tab.wait_for_selector("#search-results ul li", timeout=10_000)
    assert "limitations" in page.tab.locator("#search-results").inner_html()


@pytest.mark.parametrize(
    ("path", "slider", "readout"),
    [
        ("book/primary_outcomes.html", "PIQ threshold (points)", "% ("),
        ("book/limitations.html", "PIQ test–retest reliability", "expected with no effect"),
        ("book/primary_outcomes.html", "Correlation between stage 2 and stage 3 scores", "expected to improve"),
    ],
)
def test_sliders_change_the_chart(visit, path, slider, readout):
    page = visit(path)
    page.draw_all()
    control = page.tab.locator(".vega-bind", has_text=slider).locator("input[type=range]")
    chart = control.locator("xpath=ancestor::div[contains(@class,'cnslbp-chart')]")

    def shown() -> str:
        texts = chart.locator("svg text").evaluate_all("nodes => nodes.map(node => node.textContent)")
        return " | ".join(text for text in texts if readout in text)

    before = shown()
    assert before, f"no readout containing {readout!r}"
    low, high = float(control.get_attribute("min")), float(control.get_attribute("max"))
    control.fill(str(round(low + (high - low) * 0.85, 2)))
    page.tab.wait_for_timeout(200)
    assert shown() != before


def test_vega_is_loaded_only_once_a_chart_nears_the_viewport(visit, reconstruction_site):
    short = {"width": 1280, "height": 500}
    for path in interactive_chapters(reconstruction_site):  # the first whose charts start below the first screen
        page = visit(path, short, wait_until="networkidle")  # loaded, and nothing more asked for
        top = page.tab.evaluate("document.querySelector('.cnslbp-chart--interactive').getBoundingClientRect().top")
        if top > short["height"] + 300:
            break
    else:
        pytest.fail("every chapter with charts has one on its first screen")
    fetched = "performance.getEntriesByType('resource').some(entry => entry.name.includes('vega-bundle'))"
    page.tab.wait_for_timeout(1500)  # the page has loaded and the browser has been idle
    assert not page.tab.evaluate(fetched)
    assert page.tab.locator(".cnslbp-chart--live").count() == 0
    assert page.tab.locator(".cnslbp-chart svg.cnslbp-static").count() > 0
    chart = page.tab.locator(".cnslbp-chart--interactive").first
    chart.scroll_into_view_if_needed()
    page.tab.wait_for_function(
        "document.querySelector('.cnslbp-chart--interactive').classList.contains('cnslbp-chart--live')"
    )
    assert page.tab.evaluate(fetched)
    assert page.errors == []


def test_the_regression_to_the_mean_simulators_read_out_the_closed_form(visit, cohort):
    from cnslbp_lib.data.instruments import get_instrument
    from cnslbp_lib.stats.rtm import expected_null_improvement, rtm_figures

    page = visit("book/limitations.html")
    page.draw_all()
    for instrument in ("piq", "pseq"):
        entry = get_instrument(instrument)
        sd = rtm_figures(cohort.data, instrument, cohort_size=cohort.n_participants).sd
        reliability = page.tab.locator(".vega-bind", has_text=f"{entry.abbreviation} test–retest reliability")
        threshold = page.tab.locator(".vega-bind", has_text=f"{entry.abbreviation} non-response threshold")
        chart = reliability.locator("xpath=ancestor::div[contains(@class,'cnslbp-chart ')]")
        low, high = (float(threshold.locator("input").get_attribute(bound)) for bound in ("min", "max"))
        for points in (low, float(entry.threshold), high):
            threshold.locator("input").fill(str(int(points)))
            for rho in (0.5, 0.63, 0.75, 0.88, 0.95):
                reliability.locator("input").fill(f"{rho:.2f}")
                expected = f"expected with no effect: {float(expected_null_improvement(rho, points, sd)):.2f} points"
                readout = chart.locator(".cnslbp-chart-live svg text", has_text="expected with no effect")
                page.tab.wait_for_function(
                    "([node, text]) => node.textContent === text", arg=[readout.element_handle(), expected]
                )
                assert readout.text_content() == expected, f"{instrument}: reliability {rho}, threshold {points}"


# --- self-checks: the script answers back; without it, the page says what it needs -----------------
def self_check_feedback(tab, check: str) -> str:
    """Press the check's button and read its live region once the script has filled it."""
    tab.click(f"#selfcheck-{check} .cnslbp-selfcheck__check")
    region = tab.locator(f"#selfcheck-{check} [role=status]")
    region.locator("p").wait_for()
    return region.inner_text()


def test_a_choice_self_check_says_why_a_wrong_and_the_right_answer_are_so(visit):
    page = visit("book/primary_outcomes.html")
    holm = page.tab.locator("#selfcheck-primary-holm")
    assert holm.locator(".cnslbp-selfcheck__check").is_visible()
    assert not holm.locator(".cnslbp-selfcheck__needs-js").is_visible()
    page.tab.check("#selfcheck-primary-holm-a")  # "that the MRI package improved both outcomes"
    said = self_check_feedback(page.tab, "primary-holm")
    assert said.startswith("A is not right.")
    assert "cannot say what caused a change" in said
    assert holm.get_attribute("data-state") == "wrong"
    page.tab.check("#selfcheck-primary-holm-d")  # changing the answer clears the feedback
    assert page.tab.locator("#selfcheck-primary-holm [role=status]").inner_text() == ""
    said = self_check_feedback(page.tab, "primary-holm")
    assert said.startswith("D is right.")
    assert "no adjustment removes them" in said
    assert holm.get_attribute("data-state") == "right"
    assert page.errors == []


def test_a_numeric_self_check_accepts_the_answer_and_names_a_known_slip(visit):
    page = visit("book/number_audit.html")
    field = "#selfcheck-audit-responder-count-answer"
    # 78.5% of 14 people is 10.99 people, so 11 (worked by hand)
    for typed, opening, words in [
        ("11", "Right.", "the share was cut off, not rounded"),
        ("11,0", "Right.", "cut off, not rounded"),  # a decimal comma is a decimal point
        ("10", "Not right.", "cuts 10.99 down instead of rounding it"),  # the listed slip
        ("10.99", "Close, but not right.", "people come whole"),
        ("\u22123", "Not right.", "Multiply the share by the number of people"),  # a true minus, far off
    ]:
        page.tab.fill(field, typed)
        said = self_check_feedback(page.tab, "audit-responder-count")
        assert said.startswith(opening), (typed, said)
        assert words in said, (typed, said)
    page.tab.fill(field, "eleven")
    assert self_check_feedback(page.tab, "audit-responder-count").startswith("Type a number")
    assert page.errors == []


def test_the_dataset_banner_is_one_line_on_a_phone_and_keeps_the_whole_hash(visit):
    page = visit("book/start_here.html", WIDTHS["phone"])
    banner = page.tab.locator(".cnslbp-provenance")
    line = page.tab.evaluate("parseFloat(getComputedStyle(document.querySelector('.cnslbp-provenance')).lineHeight)")
    assert banner.bounding_box()["height"] <= line * 1.5
    assert cl_hash() in banner.inner_html()


def cl_hash() -> str:
    from cnslbp_lib.data.source import reconstruction_sha256

    return reconstruction_sha256()
