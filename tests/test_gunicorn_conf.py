"""gunicorn.conf.py: gunicorn finds it by itself, and a worker that has loaded Kanal freezes what it loaded."""

from __future__ import annotations

import gc
import runpy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def bare_application(_environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("204 No Content", [])
    return []


def test_gunicorn_reads_the_settings_from_the_working_directory() -> None:
    printed = subprocess.run(
        # Printing the settings loads the application too; a bare one will do, the settings are Kanal's.
        [sys.executable, "-m", "gunicorn", "--print-config", "tests.test_gunicorn_conf:bare_application"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    settings = {
        name.strip(): value.strip()
        for name, _, value in (line.partition("=") for line in printed.splitlines())
    }
    assert settings["config"] == "./gunicorn.conf.py"
    assert settings["post_worker_init"] == "<post_worker_init()>"


def test_a_worker_that_has_loaded_kanal_freezes_what_it_loaded() -> None:
    post_worker_init = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"]
    gc.unfreeze()
    try:
        post_worker_init(None)
        assert gc.get_freeze_count() > 1000  # modules, functions and the rest of what is loaded by now
    finally:
        gc.unfreeze()
