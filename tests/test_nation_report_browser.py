"""The national report as a reader sees it: Debian's chromium driven by Playwright (the fixtures and
checks of tests/test_report_browser.py), on the small national study of tests/nation_fixture.py.

* the headline answer (which programme buys most people per pound) and its table lie inside the
  first 1,366 x 768 screen;
* every figure loads (naturalWidth > 0): value per pound, totals, growth classes, histogram, league;
* nothing is wider than a 400 px screen, except inside a wrapper that scrolls sideways.

Screenshots go to ``tests/artefacts/`` (gitignored) to be looked at.
"""

import pytest

from slsim.analysis.report import main as report_main
from test_report_browser import ARTEFACTS, OVERFLOWING_TABLES, WIDER_THAN_SCREEN, browser, open_page, shot  # noqa: F401


@pytest.fixture(scope="module")
def report(nation_study):
    out = nation_study.parent / "browser_report"
    assert report_main([str(nation_study), "--out", str(out)]) == 0
    return out / "index.html"


def test_the_headline_answer_is_on_the_first_screen(browser, report):  # noqa: F811
    page = open_page(browser, report, 1366, 768)
    shot(page, "nation_first_screen_1366x768.png")
    assert page.locator("section").first.get_attribute("id") == "answer"
    lead = page.locator("section#answer p.lead")
    assert lead.is_visible()
    text = lead.inner_text()
    assert text.startswith("Most people per pound:") or text.startswith("No programme supports more people")
    for part in (lead, page.locator("section#answer table.perpound")):
        box = part.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    assert page.locator("table.perpound tbody tr").count() == 2  # equal and by_need against none
    page.close()


def test_every_figure_loads_and_no_table_overflows(browser, report):  # noqa: F811
    page = open_page(browser, report, 1366, 768)
    images = page.evaluate("() => [...document.images].map(i => [i.alt.slice(0, 40), i.complete, i.naturalWidth])")
    assert len(images) == 5, images
    assert all(complete and width > 0 for _, complete, width in images), images
    for section in ("totals", "growth", "league"):
        figure = page.locator(f"section#{section} figure").first
        figure.scroll_into_view_if_needed()
        assert figure.is_visible()
    out = page.evaluate(OVERFLOWING_TABLES)
    assert out["bad"] == [] and out["pageWidth"] <= 1366, out
    shot(page, "nation_full_page_1366.png", full_page=True)
    page.close()


def test_readable_at_400_px(browser, report):  # noqa: F811
    page = open_page(browser, report, 400, 800)
    out = page.evaluate(WIDER_THAN_SCREEN)
    shot(page, "nation_first_screen_400.png")
    assert out["bad"] == [], out["bad"]
    assert out["pageWidth"] <= 400
    page.close()
