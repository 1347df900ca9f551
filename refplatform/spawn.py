"""Run the reference platform in a child process (``main.py platform serve``), for the
benchmarks that measure a kiosk process the platform must stay out of. Standard library
only: importing this does not load the platform."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def spawn_platform(data_dir: Path, *, cwd: Path, env: dict[str, str] | None = None,
                   ) -> tuple[subprocess.Popen[str], str, str]:
    """``main.py platform serve`` in a child process (loopback, any free port, no faults),
    as benchmarks need it outside their own process: the process, its URL and an
    enrollment token, read from what it prints at start."""
    proc = subprocess.Popen(
        [sys.executable, "main.py", "platform", "serve", "--data-dir", str(data_dir),
         "--port", "0", "--no-faults"],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    url = token = ""
    while not (url and token):
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the platform process exited before printing its URL")
        if line.startswith("platform url:"):
            url = line.split(":", 1)[1].strip()
        elif line.startswith("enrollment token:"):
            token = line.split(":", 1)[1].strip()
    return proc, url, token
