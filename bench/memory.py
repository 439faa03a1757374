"""Server memory under load: 5 browser sessions at once, each training the default model 5 times.

Samples the Streamlit server's RSS every 0.2 s and prints the peak and the drift between the
end of the first round and the end of the last (goal: peak <= 1 GB, flat after warm-up).

    python bench/memory.py [--sessions 5] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import threading
import time
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


async def session(browser, url: str, rounds: int, marks: list, pid: int) -> None:
    context, page = await open_train(browser, url, timeout_ms=240_000)
    for r in range(rounds):
        await page.get_by_role("button", name=TRAIN).first.click()
        await page.get_by_text(re.compile(r"Trained 30 epochs")).first.wait_for()
        await settled(page)
        marks.append((r, rss_mb(pid)))
        await page.get_by_role("button", name="↺ Reset").click()
        await page.get_by_role("button", name=TRAIN).wait_for()
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    port = free_port()
    proc = start_server(port)
    url = f"http://127.0.0.1:{port}"
    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def sample() -> None:
        t0 = time.monotonic()
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
        t0 = time.perf_counter()
        marks = asyncio.run(run(url, args.sessions, args.rounds, proc.pid))
        wall = time.perf_counter() - t0
        stop.set()
        sampler.join()
    finally:
        stop_server(proc)

    peak = max(r for _, r in samples)
    by_round = {}
    for r, mb in marks:
        by_round.setdefault(r, []).append(mb)
    first = max(by_round[0])
    last = max(by_round[args.rounds - 1])
    print(f"{args.sessions} sessions x {args.rounds} trainings of the default spec, {wall:.0f} s")
    print(f"server RSS idle (fresh)      : {idle:.0f} MB")
    print(f"server RSS peak              : {peak:.0f} MB   (goal <= 1024 MB)")
    for r in sorted(by_round):
        print(f"  after round {r + 1}: max {max(by_round[r]):.0f} MB")
    print(f"drift first -> last round    : {last - first:+.0f} MB ({(last - first) / first:+.1%})")


if __name__ == "__main__":
    main()
