"""Helpers for real-browser tests and benchmarks: start a server, wait for a run, check pages."""

from __future__ import annotations

import asyncio
import collections
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ANOMAGRAM_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Runs `streamlit run ...` with one addition: SIGUSR1 makes the server print every thread's
# stack, so a test that finds a session stuck can show where the server is waiting.
LAUNCHER = (
    "import faulthandler, signal, sys; "
    "faulthandler.register(signal.SIGUSR1, all_threads=True); "
    "from streamlit.web.cli import main; sys.argv[0] = 'streamlit'; main()"
)


def start_server(port: int, extra_env: dict | None = None) -> subprocess.Popen:
    """Start the app; its output is read continuously and kept in ``proc.output`` (last lines).

    Reading matters: a server writing into a pipe nobody drains blocks once the pipe's 64 kB
    buffer is full, in whichever thread logs next, and looks like a hung session.
    """
    env = {**os.environ, "KERAS_BACKEND": "jax", **(extra_env or {})}
    cmd = [
        sys.executable,
        "-c",
        LAUNCHER,
        "run",
        "streamlit_app.py",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        # Tests must see real exceptions, which the app's config hides from users.
        "--client.showErrorDetails=full",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    proc.output = collections.deque(maxlen=20000)
    proc.reader = threading.Thread(target=_drain, args=(proc,), daemon=True)
    proc.reader.start()
    return proc


def _drain(proc: subprocess.Popen) -> None:
    for line in proc.stdout:
        proc.output.append(line)


def server_output(proc: subprocess.Popen, last: int = 200) -> str:
    return "".join(list(proc.output)[-last:])


def thread_stacks(proc: subprocess.Popen) -> str:
    """Every thread's Python stack in the running server, as faulthandler prints them."""
    if proc.poll() is not None:
        return f"(server exited with {proc.returncode})"
    before = len(proc.output)
    proc.send_signal(signal.SIGUSR1)
    time.sleep(1.5)
    return "".join(list(proc.output)[before:]) or "(no stack dump arrived)"


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            proc.reader.join(5)
            raise RuntimeError(f"streamlit exited early:\n{server_output(proc)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not become healthy at {url}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


RUN_DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script run has finished and stayed finished for a moment."""
    page.wait_for_selector("[data-testid='stMain']", timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        page.wait_for_selector(RUN_DONE, timeout=timeout)
        time.sleep(0.3)
        if page.locator(RUN_DONE).count():
            return
    raise TimeoutError("the app kept running")


async def settled(page, timeout: float = 120) -> None:
    """Async Playwright: the script run is over, with no running indicator for a moment."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        if not await page.locator(RUN_DONE).count():
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.4:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the app kept running")


async def open_train(browser, url: str, query: str = "", timeout_ms: int = 120_000):
    """Async Playwright: a new browser context on the Train page, ready for a click."""
    context = await browser.new_context(viewport={"width": 1300, "height": 950})
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    await page.goto(f"{url}/train{query}")
    await page.get_by_role("button", name="▶ Train", exact=True).wait_for()
    await settled(page)
    return context, page


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) / 1024


def open_train_page(page, app_url: str, query: str = "") -> None:
    """Open the Train page and wait until it is idle.

    The first visitor of a fresh server who opens /train directly gets Streamlit's automatic
    pages/ navigation instead of the app's; a first visit to the home page avoids that quirk.
    """
    page.goto(app_url)
    page.get_by_role("link", name="Train a model").wait_for()
    wait_for_app(page)
    page.goto(f"{app_url}/train{query}")
    page.get_by_role("button", name="▶ Train", exact=True).wait_for()
    wait_for_app(page)
    assert_no_exception(page)


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.inner_text("body")[:2000]
    assert not re.search(r"Traceback \(most recent call last\)", page.content())


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
