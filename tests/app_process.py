"""Run Kanal as a real separate process (Flask's threaded server) for tests that need several app processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from signing.emulator.process import poll_until

REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def app_process(environ: dict[str, str]) -> Iterator[str]:
    """Start `flask run` with `environ` on a free port; yield its base URL; stop it afterwards."""
    port = free_port()
    env = {**os.environ, **environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "run",
            "--port",
            str(port),
            "--no-reload",
            "--no-debugger",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        poll_until(lambda: process.poll() is not None or _answers(url + "/"), timeout=30)
        if process.poll() is not None:
            raise RuntimeError(f"Kanal exited with code {process.returncode} before answering")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
