"""Server memory under load, in a real Streamlit server driven by a headless browser.

Two scenarios; both sample the server's RSS every 0.2 s.

``train`` (default): 5 browser sessions at once, each training the default model 5 times.
Prints the peak and the drift between the end of the first round and the end of the last
(goal: peak <= 1 GB, flat after warm-up).

``sweep``: a session runs an Experiments sweep over 20 different architectures (one seed
each), then closes its tab. Prints the peak and the RSS two minutes after the tab closed
(goals: peak <= 1 GB; two minutes after <= start + 150 MB, where "start" is the server with
the page open and its warm-up done, just before Run). The server gets an empty compilation
cache, so every architecture is compiled for real, as for the first visitor who tries it.

    python bench/memory.py [--sessions 5] [--rounds 5]
    python bench/memory.py --scenario sweep [--sessions 1] [--after 120]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from e2e_helpers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    open_train,
    rss_mb,
    settled,
    start_server,
    stop_server,
    wait_healthy,
)

TRAIN = "▶ Train"
GOAL_PEAK_MB = 1024
GOAL_AFTER_MB = 150  # above start, two minutes after the sessions end
# 20 architectures: one to four layers, small to wide, as a curious visitor might try them.
SWEEP_ARCHITECTURES = (
    (3,),
    (5,),
    (8,),
    (12,),
    (16,),
    (24,),
    (32,),
    (48,),
    (7, 3),
    (12, 4),
    (16, 8),
    (24, 12),
    (32, 16),
    (48, 24),
    (64, 32),
    (16, 8, 4),
    (32, 16, 8),
    (64, 32, 16),
    (48, 24, 12),
    (64, 48, 32, 16),
)


# --- train: sessions training the default model ---------------------------------------------------


async def session(browser, url: str, rounds: int, marks: list, pid: int) -> None:
    context, page = await open_train(browser, url, timeout_ms=240_000)
    for r in range(rounds):
        await page.get_by_role("button", name=TRAIN, exact=True).click()
        await page.get_by_text(re.compile(r"Trained 30 epochs")).first.wait_for()
        await settled(page)
        marks.append((r, rss_mb(pid)))
        await page.get_by_role("button", name="↺ Reset").click()
        await page.get_by_role("button", name=TRAIN, exact=True).wait_for()
        await settled(page)
    await context.close()


async def run(url: str, sessions: int, rounds: int, pid: int) -> list:
    from playwright.async_api import async_playwright

    marks: list = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        await asyncio.gather(*(session(browser, url, rounds, marks, pid) for _ in range(sessions)))
        await browser.close()
    return marks


def report_train(args, samples, marks, idle: float, wall: float) -> None:
    peak = max(r for _, r in samples)
    by_round = {}
    for r, mb in marks:
        by_round.setdefault(r, []).append(mb)
    first = max(by_round[0])
    last = max(by_round[args.rounds - 1])
    print(f"{args.sessions} sessions x {args.rounds} trainings of the default spec, {wall:.0f} s")
    print(f"server RSS idle (fresh)      : {idle:.0f} MB")
    print(f"server RSS peak              : {peak:.0f} MB   (goal <= {GOAL_PEAK_MB} MB)")
    for r in sorted(by_round):
        print(f"  after round {r + 1}: max {max(by_round[r]):.0f} MB")
    print(f"drift first -> last round    : {last - first:+.0f} MB ({(last - first) / first:+.1%})")


# --- sweep: 20 architectures on the Experiments page, then the tab closes ---------------------


def sweep_query(offset: int) -> str:
    """The Experiments link of one session; ``offset`` widens every first layer, so that
    sessions sweep different architectures."""
    archs = [(units + offset, *rest) for units, *rest in SWEEP_ARCHITECTURES]
    values = ";".join(",".join(str(u) for u in arch) for arch in archs)
    return "?" + urllib.parse.urlencode({"param": "hidden", "values": values, "seeds": 1})


def wait_quiet(pid: int, mb: float = 3.0, seconds: float = 5.0, timeout: float = 90.0) -> float:
    """The RSS once it has moved less than ``mb`` for ``seconds`` (the warm-up is over)."""
    deadline = time.monotonic() + timeout
    since, level = time.monotonic(), rss_mb(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = rss_mb(pid)
        if abs(now - level) > mb:
            since, level = time.monotonic(), now
        elif time.monotonic() - since >= seconds:
            return now
    return rss_mb(pid)


async def sweep_sessions(url: str, sessions: int, pid: int, marks: dict) -> None:
    from playwright.async_api import async_playwright

    total = len(SWEEP_ARCHITECTURES)
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        pages = []
        for i in range(sessions):
            context = await browser.new_context(viewport={"width": 1300, "height": 950})
            page = await context.new_page()
            page.set_default_timeout(240_000)
            # The home page first: a fresh server's first visit straight to a page gets
            # Streamlit's automatic pages/ navigation instead of the app's.
            await page.goto(url)
            await page.get_by_role("link", name="Train a model").wait_for()
            await settled(page)
            await page.goto(f"{url}/experiments{sweep_query(i)}")
            await page.get_by_text("filled in from the link").wait_for()
            await settled(page)
            pages.append((context, page))
        marks["start"] = await asyncio.to_thread(wait_quiet, pid)
        marks["t_start"] = time.monotonic()

        async def sweep(page) -> None:
            await page.get_by_role("button", name=re.compile(f"Run {total} training runs")).click()
            await page.get_by_text(f"{total} of {total} runs").first.wait_for(timeout=1_200_000)
            await settled(page)

        await asyncio.gather(*(sweep(page) for _, page in pages))
        marks["end"] = rss_mb(pid)
        marks["t_end"] = time.monotonic()
        for context, _ in pages:
            await context.close()
        marks["t_closed"] = time.monotonic()
        await browser.close()


def report_sweep(args, samples, marks: dict, t0: float) -> None:
    start, closed = marks["start"], marks["t_closed"] - t0
    during = [mb for t, mb in samples if t >= marks["t_start"] - t0]
    peak = max(during)
    after = [mb for t, mb in samples if t >= closed]
    final = after[-1]
    n = len(SWEEP_ARCHITECTURES)
    print(
        f"{args.sessions} session(s) x a sweep over {n} architectures (1 seed each), "
        f"{marks['t_end'] - marks['t_start']:.0f} s; then the tab(s) closed"
    )
    print(f"server RSS at start (page open, warm) : {start:.0f} MB")
    print(f"server RSS peak                       : {peak:.0f} MB   (goal <= {GOAL_PEAK_MB} MB)")
    end = marks["end"]
    print(f"server RSS when the sweep finished    : {end:.0f} MB ({end - start:+.0f})")
    for s in range(30, int(args.after) + 1, 30):
        at = [mb for t, mb in samples if t >= closed + s - 0.5]
        if at:
            print(
                f"  {s:3d} s after the tab closed          : {at[0]:.0f} MB ({at[0] - start:+.0f})"
            )
    print(
        f"server RSS {args.after:.0f} s after the tab closed   : {final:.0f} MB "
        f"({final - start:+.0f}; goal <= +{GOAL_AFTER_MB} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", choices=("train", "sweep"), default="train")
    parser.add_argument("--sessions", type=int, default=None, help="default: train 5, sweep 1")
    parser.add_argument("--rounds", type=int, default=5, help="train: trainings per session")
    parser.add_argument(
        "--after", type=float, default=120.0, help="sweep: seconds watched after the tabs close"
    )
    args = parser.parse_args()
    if args.sessions is None:
        args.sessions = 5 if args.scenario == "train" else 1

    port = free_port()
    cache = tempfile.TemporaryDirectory(prefix="anomagram-bench-jax-")
    env = {"PYTHONPATH": str(ROOT)}
    if args.scenario == "sweep":
        env["ANOMAGRAM_JAX_CACHE"] = cache.name
    proc = start_server(port, env)
    url = f"http://127.0.0.1:{port}"
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    t0 = time.monotonic()

    def sample() -> None:
        while not stop.is_set():
            try:
                samples.append((time.monotonic() - t0, rss_mb(proc.pid)))
            except (FileNotFoundError, ProcessLookupError):
                return
            time.sleep(0.2)

    try:
        wait_healthy(url, proc)
        idle = rss_mb(proc.pid)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        if args.scenario == "train":
            marks = asyncio.run(run(url, args.sessions, args.rounds, proc.pid))
        else:
            marks = {}
            asyncio.run(sweep_sessions(url, args.sessions, proc.pid, marks))
            time.sleep(max(marks["t_closed"] + args.after - time.monotonic(), 0) + 0.5)
        wall = time.perf_counter() - started
        stop.set()
        sampler.join()
    finally:
        stop_server(proc)
        cache.cleanup()

    if args.scenario == "train":
        report_train(args, samples, marks, idle, wall)
    else:
        report_sweep(args, samples, marks, t0)


if __name__ == "__main__":
    main()
