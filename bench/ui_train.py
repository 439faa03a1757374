"""Benchmark: click Train on the Train page -> final charts shown, in a real browser.

Starts a fresh Streamlit server (with per-frame drawing costs logged), opens the Train page
in headless Chromium at 1366x768 and times, from the click until the final status ("Trained
30 epochs", written after the last charts and the evaluation panel) is visible:

- Fast mode, the first Train click in the fresh server (XLA compilation included, minus what
  the background warm-up did while the page was open), then warm runs (Reset + Train);
- Watch mode, warm runs, counting the frames the browser showed: a script in the page
  records every epoch the error histogram's title shows, in order.

Then it prints the server's drawing cost per chart and frame (Watch mode), and times a bare
``model.fit`` of the same spec in this process (after its compilation) for the ratio UI / bare.

    python bench/ui_train.py [--runs 5] [--wait-before-first 0]
"""

from __future__ import annotations

import argparse
import json
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
from test_watch_training import FRAME_COUNTER  # noqa: E402

from anomagram.ui.train.live import TIMINGS_ENV  # noqa: E402

FINAL_TEXT = "Trained 30 epochs"
EPOCHS = 30


# In the page: the time of the click (mousedown) and of the first paint-ready DOM holding the
# final status. Playwright's own waiting polls with a backoff of up to 500 ms, which would
# blur the measurement; a MutationObserver sees the status the moment it lands.
CLICK_TO_FINAL = """
(() => {
  window.__clickAt = null;
  window.__finalAt = null;
  document.addEventListener("mousedown", () => { window.__clickAt = performance.now(); },
                            {capture: true, once: true});
  const main = document.querySelector("[data-testid='stMain']");
  const obs = new MutationObserver(() => {
    if (window.__clickAt === null || window.__finalAt !== null) return;
    for (const p of main.querySelectorAll("[data-testid='stProgress']")) {
      if ((p.textContent || "").includes("FINAL")) {
        window.__finalAt = performance.now();
        obs.disconnect();
        return;
      }
    }
  });
  obs.observe(main, {subtree: true, childList: true, characterData: true});
})()
""".replace("FINAL", FINAL_TEXT)


def time_train_click(page) -> float:
    """Seconds from the Train click to the final status, measured in the page."""
    page.evaluate(CLICK_TO_FINAL)
    page.get_by_role("button", name="▶ Train", exact=True).click()
    page.get_by_text(FINAL_TEXT).first.wait_for(timeout=120_000)
    page.wait_for_function("window.__finalAt !== null")
    return page.evaluate("window.__finalAt - window.__clickAt") / 1000


def reset(page) -> None:
    page.get_by_role("button", name="↺ Reset").click()
    page.get_by_text("No trained model yet").wait_for()
    wait_for_app(page)


def choose_speed(page, label: str) -> None:
    page.locator(".st-key-train_speed_w").get_by_text(label).click()
    wait_for_app(page)


def watch_run(page) -> tuple[float, list[int]]:
    """Seconds from click to final, and the epochs the histogram showed, in order."""
    page.evaluate(FRAME_COUNTER)
    seconds = time_train_click(page)
    wait_for_app(page)
    page.wait_for_function(f"window.__epochs[window.__epochs.length - 1] === {EPOCHS}")
    return seconds, page.evaluate("window.__epochs")


def ui_runs(runs: int, wait_before_first: float) -> dict:
    from playwright.sync_api import sync_playwright

    port = free_port()
    t_server = time.perf_counter()
    proc = start_server(port, {TIMINGS_ENV: "1"})
    url = f"http://127.0.0.1:{port}"
    out: dict = {}
    try:
        wait_healthy(url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            # The first visitor of a fresh server lands on the home page; then opens Train.
            page.goto(url)
            wait_for_app(page)
            page.get_by_role("link", name="Train a model").click()
            page.get_by_role("button", name="▶ Train", exact=True).wait_for()
            wait_for_app(page)
            out["ready"] = time.perf_counter() - t_server
            choose_speed(page, "Fast")
            if wait_before_first:
                time.sleep(wait_before_first)
            out["fast_first"] = time_train_click(page)
            wait_for_app(page)
            out["fast"] = []
            for _ in range(runs):
                reset(page)
                out["fast"].append(time_train_click(page))
                wait_for_app(page)
            choose_speed(page, "Watch")
            out["watch"], out["frames"] = [], []
            frames_from = len(proc.output)
            for _ in range(runs):
                reset(page)
                seconds, epochs = watch_run(page)
                out["watch"].append(seconds)
                out["frames"].append(epochs)
            out["frame_logs"] = [
                json.loads(line.split(" ", 1)[1])
                for line in list(proc.output)[frames_from:]
                if line.startswith("FRAME ")
            ]
            assert page.locator("[data-testid='stException']").count() == 0
            browser.close()
    finally:
        stop_server(proc)
    return out


def frame_costs(logs: list[dict]) -> str:
    """Median and 90th percentile of each chart's server-side drawing cost, in ms."""
    parts = []
    for name in ("loss", "histogram", "roc", "latent", "tiles", "frame"):
        values = sorted(log[name] for log in logs if name in log)
        if values:
            p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
            parts.append(f"{name} {statistics.median(values):.0f}/{p90:.0f}")
    return ", ".join(parts)


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
    parser.add_argument("--runs", type=int, default=5, help="warm Reset + Train runs per mode")
    parser.add_argument(
        "--wait-before-first",
        type=float,
        default=0.0,
        help="seconds the page stays open before the first click (a person reading it)",
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]
    r = ui_runs(args.runs, args.wait_before_first)
    bare = bare_fit_seconds()
    fast, watch = statistics.median(r["fast"]), statistics.median(r["watch"])
    shown = [len(set(epochs)) for epochs in r["frames"]]
    dropped = [sorted(set(range(1, EPOCHS + 1)) - set(epochs)) for epochs in r["frames"]]
    in_order = all(epochs == sorted(epochs) for epochs in r["frames"])
    print(f"host: {os.cpu_count()} cores, load average {load:.2f} at start")
    print(f"server start -> Train page ready: {r['ready']:.2f} s")
    print(
        f"Fast: first Train click in a fresh server -> final charts: {r['fast_first']:.2f} s "
        f"(page open {args.wait_before_first:g} s before the click)"
    )
    print(
        f"Fast: warm Reset + Train -> final charts, median of {len(r['fast'])}: {fast:.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in r['fast'])}; budget 1.0 s)"
    )
    print(
        f"Watch: warm Reset + Train -> final charts, median of {len(r['watch'])}: {watch:.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in r['watch'])}; budget 3.5 s)"
    )
    print(
        f"Watch: distinct epoch frames the browser showed per run: {shown} of {EPOCHS} "
        f"(epochs not seen: {dropped}; in order: {in_order}; budget >= 25)"
    )
    print(f"Watch: server drawing cost per frame, ms median/p90: {frame_costs(r['frame_logs'])}")
    print(f"bare model.fit, same spec, 30 epochs, compiled: {bare:.2f} s")
    print(f"ratio UI Fast warm / bare fit: {fast / bare:.1f}x")


if __name__ == "__main__":
    main()
