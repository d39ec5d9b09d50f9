"""The dashboard as a person uses it: ``slsim-dashboard`` serving, headless Chromium (Debian's
package) driven by Playwright, as for the report (tests/test_report_browser.py).

The server runs in its own process group on a free port and is killed at the end.
Each test opens a new page (a new Solara session, so a new model from the default
inputs). The plots are SVG images whose lines carry the ids ``<plot>:<column>``
(experiments/dashboard.py): the tests read the plotted points from them.
Screenshots go to ``tests/artefacts/`` (gitignored) to be looked at.
"""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from helpers import BIN
from slsim.experiments.config import load_params
from slsim.simulation.params import ConfigError
from test_report_browser import ARGS, ARTEFACTS, chromium

START_TIMEOUT_S = 60
UI_TIMEOUT_MS = 20_000
BAD = "carers.enquiry_to_assessment=1.5"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    exe = BIN / "slsim-dashboard"
    if not exe.exists():
        pytest.fail(f"console script not found at {exe}; install the package (make venv)")
    port = free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(exe), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed whole at the end
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"slsim-dashboard exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"slsim-dashboard did not answer within {START_TIMEOUT_S} s: {log.read_text()[-2000:]}")
            time.sleep(0.25)
        assert log.read_text().startswith(f"slsim-dashboard: serving http://127.0.0.1:{port}/")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


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


@pytest.fixture
def page(browser, server):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(server)
    expect_text(page.locator(".slsim-plot-hours .slsim-caption"), "1 weeks plotted; week 0:")
    yield page
    page.close()


def expect_text(locator, text):
    from playwright.sync_api import expect

    expect(locator).to_contain_text(text, timeout=UI_TIMEOUT_MS)


def shot(page, name):
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / name), full_page=True)


SVG_OF = "async (plot) => { const i = document.querySelector(`.slsim-plot-${plot} img`); return (await fetch(i.src)).text(); }"


def series(page, plot: str, column: str) -> list:
    """The points (x, y in SVG units) of the line ``column`` in plot ``plot``, as drawn."""
    svg = page.evaluate(SVG_OF, plot)
    group = re.search(rf'<g id="{re.escape(plot)}:{re.escape(column)}">(.*?)</g>', svg, re.S)
    assert group, f"no line {plot}:{column} in the {plot} plot"
    path = re.search(r'<path d="([^"]*)"', group.group(1))
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.group(1))]
    return list(zip(numbers[::2], numbers[1::2]))


def step(page, times: int):
    for _ in range(times):
        before = page.locator(".slsim-week").inner_text()
        page.get_by_role("button", name="Step").click()
        expect_text(page.locator(".slsim-week"), f"Week {int(before.split()[1]) + 1} of")


def reset(page):
    page.get_by_role("button", name="Reset").click()


def test_the_page_loads_with_its_plots(page):
    shot(page, "dashboard_loaded.png")
    captions = page.locator(".slsim-caption").all_inner_texts()
    assert len(captions) == 3 and all(c.startswith("1 weeks plotted; week 0:") for c in captions), captions
    sizes = page.evaluate("() => [...document.querySelectorAll('[class*=slsim-plot-] img')].map(i => i.naturalWidth)")
    assert len(sizes) == 3 and all(w > 300 for w in sizes), sizes
    for plot, column in (("people", "people_live_in"), ("pipeline", "carers_active"), ("hours", "hours_monitoring")):
        assert len(series(page, plot, column)) == 1, (plot, column)  # week 0, the state after warm-up
    expect_text(page.locator(".slsim-command"), "levers=none")
    assert "Lever: extra_workers" in page.inner_text("body")


def test_stepping_adds_a_point_a_week(page):
    step(page, 3)
    for plot, column in (("people", "people_short_break"), ("pipeline", "carers_enquiry"), ("hours", "hours_matching")):
        points = series(page, plot, column)
        assert len(points) == 4, (plot, column, points)
        xs = [x for x, _ in points]
        assert xs == sorted(xs) and len(set(xs)) == 4  # one point a week, left to right
    expect_text(page.locator(".slsim-plot-people .slsim-caption"), "4 weeks plotted; week 3:")
    expect_text(page.get_by_text("Step: 3"), "Step: 3")
    shot(page, "dashboard_after_3_steps.png")


def test_a_lever_changes_the_plotted_series(page):
    step(page, 2)
    without = [series(page, "hours", c) for c in ("hours_available", "hours_outreach")]
    hours_without = page.locator(".slsim-plot-hours .slsim-caption").inner_text()
    page.get_by_text("Lever: extra_workers", exact=True).click()  # (Vuetify's ripple covers the box itself)
    assert page.get_by_label("Lever: extra_workers").is_checked()
    reset(page)
    expect_text(page.locator(".slsim-scheme"), "Levers on: extra_workers")
    expect_text(page.locator(".slsim-command"), "levers=extra_workers")
    step(page, 2)
    with_lever = [series(page, "hours", c) for c in ("hours_available", "hours_outreach")]
    for before, after in zip(without, with_lever):
        assert len(before) == len(after) == 3
        assert before != after  # an extra scheme worker: more hours, spare ones spent on outreach (same seed)
    assert page.locator(".slsim-plot-hours .slsim-caption").inner_text() != hours_without
    shot(page, "dashboard_lever_extra_workers.png")


def test_a_bad_value_is_refused_with_the_one_line_message(page):
    with pytest.raises(ConfigError) as refused:
        load_params([BAD])  # what `slsim carers.enquiry_to_assessment=1.5` says after "slsim: error: "
    box = page.get_by_label(re.compile("More overrides"))
    box.fill(BAD)
    box.press("Enter")
    reset(page)
    expect_text(page.locator(".slsim-refused"), f"Refused: {refused.value}")
    assert "\n" not in str(refused.value)
    for caption in page.locator(".slsim-caption").all_inner_texts():
        assert caption == "Nothing plotted: the inputs were refused."
    page.get_by_role("button", name="Step").click()  # nothing runs, nothing breaks
    expect_text(page.locator(".slsim-refused"), "Refused:")
    shot(page, "dashboard_refused.png")
    box.fill("")
    box.press("Enter")
    reset(page)  # fixed: it runs again
    expect_text(page.locator(".slsim-plot-people .slsim-caption"), "1 weeks plotted; week 0:")
    assert page.locator(".slsim-refused").count() == 0
