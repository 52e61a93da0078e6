"""A real `gapwatch serve` (gunicorn) in a subprocess on a free localhost port, for the refresh
and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

GAPWATCH = [sys.executable, "-m", "gapwatch.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def workspace_env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAPWATCH_", "DJANGO_"))}
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    env["GAPWATCH_WORKSPACE_DB"] = str(root / "workspace.sqlite3")
    env["GAPWATCH_SECRET_KEY"] = "test-only-" + "k" * 60
    return env | extra  # the server's own SQLite file, apart from the test database


def gapwatch(args: list[str], env: dict, stdin: str | None = None,
             timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(GAPWATCH + args, env=env, input=stdin, capture_output=True,
                          text=True, timeout=timeout)


@contextmanager
def serving(db: Path, env: dict, threads: int = 4):
    """Yield the base URL of `gapwatch serve --db db`; stop it after."""
    port = free_port()
    proc = subprocess.Popen(GAPWATCH + ["serve", "--db", str(db), "--port", str(port),
                                        "--workers", "1", "--threads", str(threads)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:  # ready: the warehouse is prepared
            try:
                if requests.get(url + "/ready/", timeout=10).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gapwatch serve did not start:\n" + (proc.stdout.read()
                                                                        if proc.stdout else ""))
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        if proc.stdout:
            proc.stdout.close()


def signed_in(url: str, username: str, password: str) -> requests.Session:
    s = requests.Session()
    s.get(url + "/login/", timeout=10)
    r = s.post(url + "/login/", data={"username": username, "password": password,
                                      "csrfmiddlewaretoken": s.cookies["csrftoken"]},
               headers={"Referer": url + "/login/"}, timeout=10, allow_redirects=False)
    assert r.status_code == 302, r.text[:500]
    return s
