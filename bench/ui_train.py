"""Benchmark: click Train on the Train page -> final charts shown, in a real browser.

Starts a fresh Streamlit server, opens the app in headless Chromium, clicks Train and times
until the final status ("Trained 30 epochs", written after the last charts and the evaluation
panel) is visible. First run = first training in the fresh server (XLA compilation included,
minus whatever the background warm-up already did while the page was open); warm runs =
Reset + Train. Then times a bare ``model.fit`` of the same spec in this process (after its
compilation) and prints the ratio UI / bare.

    python bench/ui_train.py [--runs 5] [--wait-before-first 0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]
os.environ.setdefault("KERAS_BACKEND", "jax")

from e2e_helpers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    start_server,
    stop_server,
    wait_for_app,
    wait_healthy,
)

FINAL_TEXT = "Trained 30 epochs"


def time_train_click(page) -> float:
    start = time.perf_counter()
    page.get_by_role("button", name="▶ Train", exact=True).click()
    page.get_by_text(FINAL_TEXT).first.wait_for(timeout=120_000)
    return time.perf_counter() - start


def ui_runs(runs: int, wait_before_first: float) -> tuple[float, list[float], float]:
    from playwright.sync_api import sync_playwright

    port = free_port()
    t_server = time.perf_counter()
    proc = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # The first visitor of a fresh server lands on the home page; then opens Train.
            page.goto(url)
            wait_for_app(page)
            page.get_by_role("link", name="Train a model").click()
            page.get_by_role("button", name="▶ Train").wait_for()
            wait_for_app(page)
            page_ready = time.perf_counter() - t_server
            if wait_before_first:
                time.sleep(wait_before_first)
            first = time_train_click(page)
            wait_for_app(page)
            warm = []
            for _ in range(runs):
                page.get_by_role("button", name="↺ Reset").click()
                page.get_by_text("No trained model yet").wait_for()
                wait_for_app(page)
                warm.append(time_train_click(page))
                wait_for_app(page)
            assert page.locator("[data-testid='stException']").count() == 0
            browser.close()
    finally:
        stop_server(proc)
    return first, warm, page_ready


def bare_fit_seconds(repeats: int = 3) -> float:
    """model.fit of the default spec for 30 epochs on the same prepared data, compiled."""
    from anomagram.data import load_ecg5000
    from anomagram.model import build_autoencoder
    from anomagram.spec import Spec
    from anomagram.training import prepare

    spec = Spec()
    x = prepare(spec, load_ecg5000()).train_scaled
    model = build_autoencoder(spec)
    model.fit(x, x, epochs=1, batch_size=spec.batch_size, verbose=0)  # compile both shapes
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x, x, epochs=spec.epochs, batch_size=spec.batch_size, verbose=0)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm Reset + Train runs")
    parser.add_argument(
        "--wait-before-first",
        type=float,
        default=0.0,
        help="seconds the page stays open before the first click (a person reading it)",
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]
    first, warm, ready = ui_runs(args.runs, args.wait_before_first)
    bare = bare_fit_seconds()
    median = statistics.median(warm)
    print(f"host: {os.cpu_count()} cores, load average {load:.2f} at start")
    print(f"server start -> Train page ready: {ready:.2f} s")
    print(
        f"first Train click in a fresh server -> final charts: {first:.2f} s "
        f"(page open {args.wait_before_first:g} s before the click; budget 3.5 s)"
    )
    print(
        f"warm Reset + Train -> final charts, median of {len(warm)}: {median:.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in warm)}; budget 1.5 s)"
    )
    print(f"bare model.fit, same spec, 30 epochs, compiled: {bare:.2f} s")
    print(f"ratio UI warm / bare fit: {median / bare:.1f}x")


if __name__ == "__main__":
    main()
