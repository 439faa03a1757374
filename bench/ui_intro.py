"""Benchmark the Introduction page in a real browser (Playwright + Debian Chromium).

For each run a fresh server is launched, then:

* cold load: the first visit to the new server (Keras, the data and the charts all load for
  the first time). Timed from navigation start to
  - "interactive": the gallery chart is drawn, the drawing canvas is there and the script has
    stopped running (``data-test-script-state=notRunning``), so clicks are served at once;
  - "model panels": the first verdict is shown (the parts that need the pretrained model).
* warm load: a second visitor (new browser context) on the same server, once the server has
  finished warming up (its background thread imports Keras and scikit-learn and loads the
  model after the first visit; the server is taken as warm when it has used under 5 % of a
  core for a second).
* stroke: a stroke drawn on the canvas, timed from mouse-up to the verdict text changing.
* returning: the warm visitor opens the page again in the same browser profile, so Streamlit's
  scripts come from the browser's HTTP cache (they are served as immutable) rather than
  from the server: a stakeholder who has opened the app before.

Prints the median of each over the runs. Usage: python bench/ui_intro.py [--runs N]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from e2e_helpers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    start_server,
    stop_server,
    wait_healthy,
)

# Polls every 15 ms from the very start of the document and records when each milestone is
# first reached (performance.now() counts from navigation start).
PROBE = """
(() => {
  const b = window.__bench = {verdicts: [], pointerUps: []};
  window.addEventListener('pointerup', () => b.pointerUps.push(performance.now()), true);
  let last = null;
  setInterval(() => {
    const now = performance.now();
    const app = document.querySelector('[data-testid=stApp]');
    const idle = app && app.dataset.testScriptState === 'notRunning';
    const chart = document.querySelector('[data-testid=stVegaLiteChart]');
    const gallery = chart && chart.querySelector('svg.marks, canvas');
    // The canvas component renders in a shadow root once mounted.
    const host = document.querySelector('[data-testid^=stBidiComponent]');
    const canvas = host && (host.shadowRoot || host).querySelector('canvas.upper-canvas');
    if (gallery && canvas && idle && b.interactive === undefined) b.interactive = now;
    const verdicts = document.querySelectorAll('.intro-verdict');
    if (verdicts.length && b.model === undefined) b.model = now;
    const drawn = verdicts.length > 1 ? verdicts[1].innerText : null;
    if (drawn !== last) { b.verdicts.push([now, drawn]); last = drawn; }
  }, 15);
})();
"""


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_until_idle(pid: int, timeout: float = 60.0) -> float:
    """Seconds until the server used < 5 % of a core over one second."""
    start = time.monotonic()
    before = _cpu_seconds(pid)
    while time.monotonic() - start < timeout:
        time.sleep(1.0)
        now = _cpu_seconds(pid)
        if now - before < 0.05:
            break
        before = now
    return time.monotonic() - start


def _wait(page, expression: str, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value is not None:
            return value
        time.sleep(0.05)
    raise TimeoutError(expression)


def _load(browser, url: str, context=None) -> tuple[object, float, float]:
    if context is None:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.add_init_script(PROBE)
    page = context.new_page()
    page.goto(url, wait_until="commit")
    interactive = _wait(page, "window.__bench && window.__bench.interactive")
    model = _wait(page, "window.__bench && window.__bench.model")
    return page, interactive / 1000, model / 1000


def _stroke(page, k: int) -> float:
    """Draw a beat with its peak at a new place; seconds from mouse-up to the new verdict."""
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    time.sleep(0.3)
    seen = page.evaluate("window.__bench.verdicts.length")
    ups = page.evaluate("window.__bench.pointerUps.length")
    x0, y0 = box["x"] + 10, box["y"] + box["height"] * 0.6
    peak = 10 + 6 * k
    page.mouse.move(x0, y0)
    page.mouse.down()
    n = 40
    for i in range(n + 1):
        x = x0 + (box["width"] - 20) * i / n
        y = y0 - 0.4 * box["height"] * math.exp(-(((i - peak) / 3) ** 2))
        page.mouse.move(x, y, steps=2)
    page.mouse.up()
    changed = _wait(
        page,
        f"window.__bench.verdicts.length > {seen} && "
        f"window.__bench.verdicts[window.__bench.verdicts.length - 1][1] !== null "
        f"? window.__bench.verdicts[window.__bench.verdicts.length - 1][0] : null",
        timeout=30,
    )
    up = page.evaluate(f"window.__bench.pointerUps[{ups}]")
    return (changed - up) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh servers to launch")
    parser.add_argument("--strokes", type=int, default=4, help="strokes per run")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {
        "server launch -> healthy": [],
        "cold: navigation -> interactive": [],
        "cold: navigation -> model panels": [],
        "cold visit -> server idle": [],
        "warm: navigation -> interactive": [],
        "warm: navigation -> model panels": [],
        "stroke: mouse-up -> verdict": [],
        "returning: navigation -> interactive": [],
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for run in range(args.runs):
            port = free_port()
            url = f"http://127.0.0.1:{port}/"
            t0 = time.monotonic()
            proc = start_server(port)
            try:
                wait_healthy(url.rstrip("/"), proc)
                results["server launch -> healthy"].append(time.monotonic() - t0)
                cold, cold_interactive, cold_model = _load(browser, url)
                results["cold: navigation -> interactive"].append(cold_interactive)
                results["cold: navigation -> model panels"].append(cold_model)
                cold.context.close()
                results["cold visit -> server idle"].append(_wait_until_idle(proc.pid))
                warm, warm_interactive, warm_model = _load(browser, url)
                results["warm: navigation -> interactive"].append(warm_interactive)
                results["warm: navigation -> model panels"].append(warm_model)
                strokes = [_stroke(warm, k) for k in range(args.strokes)]
                results["stroke: mouse-up -> verdict"] += strokes
                context = warm.context
                warm.close()
                _, returning, _ = _load(browser, url, context)
                results["returning: navigation -> interactive"].append(returning)
                context.close()
                print(
                    f"run {run + 1}: cold {cold_interactive:.2f}s (model {cold_model:.2f}s), "
                    f"warm {warm_interactive:.2f}s, returning {returning:.2f}s, strokes "
                    + ", ".join(f"{s:.2f}" for s in strokes)
                    + "s",
                    flush=True,
                )
            finally:
                stop_server(proc)
        browser.close()

    print(f"\nmedians over {args.runs} runs ({args.strokes} strokes each):")
    for name, values in results.items():
        print(f"  {name:38s} {statistics.median(values):6.2f} s   (n={len(values)})")


if __name__ == "__main__":
    main()
