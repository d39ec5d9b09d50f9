"""The report as a reader sees it: headless Chromium (Debian's package) driven by Playwright.

A tiny real study (four scenarios, two seeds, two years) is reported, then the
page is opened at a laptop's 1,366 x 768 and a phone's 400 px:

* the answer section lies inside the first 1,366 x 768 screen;
* no table is wider than its column at 1,366 px (every <details> opened);
* every figure loads (naturalWidth > 0);
* at 400 px nothing is wider than the screen, except inside a wrapper that
  scrolls sideways on its own.

Screenshots go to ``tests/artefacts/`` (gitignored) to be looked at. The
browser is the system's chromium (``make test`` installs it; Playwright's own
browser download is not used): ``SLSIM_CHROMIUM`` or ``chromium`` on the PATH.
"""

import os
import shutil
from pathlib import Path

import pytest

from slsim.analysis.report import main as report_main
from helpers import REPO, slsim

ARTEFACTS = REPO / "tests" / "artefacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def chromium() -> str:
    exe = os.environ.get("SLSIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).exists():
        pytest.fail(
            f"no chromium at {exe}: `make test` installs it (apt-get install chromium), "
            "or set SLSIM_CHROMIUM to a Chromium binary"
        )
    return exe


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    proc = slsim(
        "-m",
        "levers=none,extra_workers,colocation,all",
        "experiment.replicates=2",
        "run.years=2",
        "run.warmup_weeks=8",
        f"hydra.sweep.dir={root / 'sweep'}",
        cwd=root,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert report_main([str(root / "sweep")]) == 0
    return root / "sweep" / "report" / "index.html"


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: `make test` installs the test extra (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=ARGS)
        yield b
        b.close()


def open_page(browser, report, width, height=768):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    return page


def shot(page, name, **kwargs):
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / name), **kwargs)


def test_the_answer_is_on_the_first_screen(browser, report):
    page = open_page(browser, report, 1366, 768)
    shot(page, "first_screen_1366x768.png")
    box = page.locator("section#answer").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    assert page.locator("section").first.get_attribute("id") == "answer"
    assert page.locator("table.answer tbody tr").count() == 3  # the three options against the baseline
    page.close()


OVERFLOWING_TABLES = """() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const column = document.body.clientWidth;
  const bad = [];
  document.querySelectorAll('table').forEach(t => {
    const wrap = t.parentElement, r = t.getBoundingClientRect();
    if (r.width > wrap.clientWidth + 1 || r.width > column + 1)
      bad.push(`${t.closest('section').id}: table ${Math.round(r.width)} px in a ${wrap.clientWidth} px column`);
  });
  return {bad, pageWidth: document.documentElement.scrollWidth};
}"""


def test_no_table_overflows_its_column_at_1366(browser, report):
    page = open_page(browser, report, 1366, 768)
    out = page.evaluate(OVERFLOWING_TABLES)
    assert out["bad"] == []
    assert out["pageWidth"] <= 1366
    shot(page, "full_page_1366.png", full_page=True)
    page.close()


def test_every_image_loads(browser, report):
    page = open_page(browser, report, 1366, 768)
    images = page.evaluate("() => [...document.images].map(i => [i.alt.slice(0, 40), i.complete, i.naturalWidth])")
    assert len(images) >= 6  # fan chart, tornado, CE plane, CEAC, pipeline, staff time
    assert all(complete and width > 0 for _, complete, width in images), images
    page.locator("section#costbenefit figure").first.screenshot(path=str(ARTEFACTS / "ce_plane_1366.png"))
    page.close()


WIDER_THAN_SCREEN = """() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const width = document.documentElement.clientWidth, bad = [];
  const scrolls = e => { for (let a = e.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return a; } return null; };
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || (r.right <= width + 1 && r.left >= -1)) continue;
    const w = scrolls(e);
    if (!w || w.getBoundingClientRect().right > width + 1)
      bad.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${e.className}: ${Math.round(r.left)}-${Math.round(r.right)}`);
  }
  return {bad: bad.slice(0, 20), pageWidth: document.documentElement.scrollWidth};
}"""


def test_readable_at_400_px(browser, report):
    page = open_page(browser, report, 400, 800)
    shot(page, "first_screen_400.png")
    out = page.evaluate(WIDER_THAN_SCREEN)
    assert out["bad"] == [], out["bad"]
    assert out["pageWidth"] <= 400
    font = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('section#answer p')).fontSize)")
    assert font >= 12  # not shrunk to fit: the viewport meta keeps the text readable
    page.close()


def test_the_style_sheet_is_well_formed():
    from slsim.analysis.html import CSS

    depth = 0
    for char in CSS:  # a stray brace silently drops every rule after it
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
