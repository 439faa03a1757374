"""Load and soak: many browser sessions on one small server, loopback only, bounded in time.

- 10 sessions train at once with different specs: all finish, each sees only its own spec and
  curves, the server stays up.
- A browser that disconnects mid-training breaks neither the server nor other sessions.
- 50 train/reset cycles in one session: the server's memory stays flat after warm-up.

Each test starts its own server so that memory readings belong to it alone.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from e2e_helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    free_port,
    open_train,
    rss_mb,
    server_output,
    settled,
    start_server,
    stop_server,
    thread_stacks,
    wait_healthy,
)

FINAL = re.compile(r"Trained (\d+) epochs")
TRAIN_BUTTON = "▶ Train"
# Ten sessions that each compile a new architecture share two cores; with an empty JAX
# compilation cache (a fresh machine, as in CI) the last one finishes after about 3 minutes.
SESSIONS_TIMEOUT = 400


@pytest.fixture
def server():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must apt-get install chromium")
        pytest.skip(f"{CHROMIUM} not installed")
    port = free_port()
    proc = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url, proc
    finally:
        stop_server(proc)


async def _train_and_wait(page, epochs: int, timeout: float = 240) -> None:
    await page.get_by_role("button", name=TRAIN_BUTTON, exact=True).click()
    await page.get_by_text(re.compile(rf"Trained {epochs} epochs")).first.wait_for(
        timeout=timeout * 1000
    )
    await settled(page)


async def _no_exception(page) -> None:
    assert await page.locator("[data-testid='stException']").count() == 0
    assert "Traceback (most recent call last)" not in await page.content()


def run_async(make_coro):
    """asyncio.run in a thread of its own: the session's sync Playwright owns this thread's loop."""
    result: dict = {}

    def target():
        try:
            result["value"] = asyncio.run(make_coro())
        except BaseException as exc:  # re-raised in the test's thread
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def _launch(p):
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def test_ten_concurrent_sessions_each_see_their_own_model(server):
    from playwright.async_api import async_playwright

    url, proc = server
    # Ten specs that differ in architecture and seed, so nothing can be shared by accident.
    specs = [(f"{4 + i},3", 2 + i % 3, i) for i in range(10)]
    durations: list[float] = []

    async def session(browser, hidden: str, latent: int, seed: int):
        query = f"?hidden={hidden}&latent={latent}&seed={seed}&train_size=500&test_size=100"
        context, page = await open_train(browser, url, query)
        try:
            started = time.monotonic()
            await _train_and_wait(page, 30, timeout=SESSIONS_TIMEOUT)
            durations.append(time.monotonic() - started)
            await _no_exception(page)
            # This session's URL still carries its own spec (nothing leaked from another)...
            query = parse_qs(urlparse(page.url).query)
            # (the URL leaves out values equal to the defaults: 7,3, seed 0, latent 2)
            assert query.get("hidden", ["7,3"]) == [hidden]
            assert query.get("seed", ["0"]) == [str(seed)]
            assert query.get("latent", ["2"]) == [str(latent)]
            # ...and the status line reports a model trained on its own 500-beat set.
            assert "Trained 30 epochs" in await page.inner_text("body")
            return page.url
        finally:
            await context.close()

    async def main():
        async with async_playwright() as p:
            browser = await _launch(p)
            try:
                return await asyncio.wait_for(
                    asyncio.gather(*(session(browser, *s) for s in specs)),
                    timeout=SESSIONS_TIMEOUT + 60,
                )
            finally:
                await browser.close()

    try:
        urls = run_async(main)
    except Exception as exc:  # a timeout of asyncio or of Playwright: show where the server is
        pytest.fail(
            f"{exc!r}\nServer threads now:\n"
            + thread_stacks(proc)
            + "\nServer output:\n"
            + server_output(proc)
        )
    print("click -> trained, per session (s):", " ".join(f"{d:.0f}" for d in sorted(durations)))
    assert len(set(urls)) == 10
    assert proc.poll() is None  # the server is still up
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as r:
        assert r.status == 200


def test_disconnect_mid_training_leaves_server_and_others_working(server):
    from playwright.async_api import async_playwright

    url, proc = server

    async def main():
        async with async_playwright() as p:
            browser = await _launch(p)
            try:
                ctx, page = await open_train(browser, url, "?epochs=100&train_size=2500")
                await page.get_by_role("button", name=TRAIN_BUTTON, exact=True).click()
                await page.get_by_role("button", name="⏸ Pause").wait_for()
                await asyncio.sleep(0.5)
                await ctx.close()  # the browser goes away mid-training

                ctx2, page2 = await open_train(browser, url, "?train_size=500&test_size=100")
                await _train_and_wait(page2, 30)
                await _no_exception(page2)
                await ctx2.close()
            finally:
                await browser.close()

    run_async(lambda: asyncio.wait_for(main(), timeout=300))
    assert proc.poll() is None


def test_fifty_train_reset_cycles_keep_memory_flat(server):
    from playwright.async_api import async_playwright

    url, proc = server
    cycles, warmup = 50, 10
    readings: list[float] = []

    async def main():
        async with async_playwright() as p:
            browser = await _launch(p)
            try:
                ctx, page = await open_train(browser, url, "?train_size=500&test_size=100")
                for i in range(cycles):
                    await _train_and_wait(page, 30)
                    await page.get_by_role("button", name="↺ Reset").click()
                    await page.get_by_role("button", name=TRAIN_BUTTON, exact=True).wait_for()
                    await settled(page)
                    readings.append(rss_mb(proc.pid))
                    if i == cycles - 1:
                        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                        await page.screenshot(path=str(SCREENSHOTS / "soak_last.png"))
                await _no_exception(page)
                await ctx.close()
            finally:
                await browser.close()

    run_async(main)
    after_warmup = readings[warmup - 1]
    peak_late = max(readings[warmup:])
    growth = (readings[-1] - after_warmup) / after_warmup
    print(
        f"RSS after warm-up {after_warmup:.0f} MB, last {readings[-1]:.0f} MB, "
        f"late peak {peak_late:.0f} MB, growth {growth:+.1%}"
    )
    assert growth <= 0.10, readings
