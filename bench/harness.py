"""What the benchmark and load scripts share: a database of their own, a
gunicorn serving the working tree, a signed-in HTTP client, latency series.

Standard library, requests and psycopg (a dependency of the project) only.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GUNICORN = BIN / "gunicorn"


# --- the database ------------------------------------------------------------------------------


def recreate_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def server_version(admin_url: str) -> str:
    with psycopg.connect(admin_url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


# --- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One `gunicorn finance_dashboard.wsgi` on a free port (2 sync workers unless told otherwise)."""

    def __init__(self, *, env: dict[str, str], log_dir: Path, name: str, options: tuple[str, ...] = ("--workers=2",)):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"gunicorn-{name}.log"
        self.name = name
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "finance_dashboard.wsgi",
                *options,
                f"--bind=127.0.0.1:{self.port}",
                "--timeout=300",
                "--log-level=warning",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: ours to stop, nothing else's
        )
        log.close()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.name}) exited:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/health/", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn ({self.name}) did not answer /health/ within {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists():
            return [int(child) for child in children.read_text().split()]
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(stat.parent.name))
        return found

    def memory(self) -> dict[int, dict[str, int]]:
        """VmHWM (peak) and VmRSS in kB of the master and each worker."""
        result = {}
        for pid in [self.process.pid, *self.worker_pids()]:
            with contextlib.suppress(OSError):
                fields = dict(
                    line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
                )
                result[pid] = {key: int(fields[key].split()[0]) for key in ("VmHWM", "VmRSS")}
        return result

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()  # the master stops its workers gracefully
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        return ""


# --- the client --------------------------------------------------------------------------------


class Client:
    """A signed-in requests.Session (keep-alive where the server allows it)."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()
        self.refresh_token = ""

    def login(self, email: str, password: str) -> None:
        response = self.session.post(
            f"{self.url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=60
        )
        response.raise_for_status()
        self._use(response.json())

    def refresh(self) -> None:
        """A fresh access token (they live minutes; a 1M run takes longer)."""
        response = self.session.post(
            f"{self.url}/api/v1/auth/token/refresh", json={"refresh": self.refresh_token}, timeout=60
        )
        response.raise_for_status()
        self._use(response.json())

    def _use(self, tokens: dict) -> None:
        self.access = tokens["access"]
        self.refresh_token = tokens["refresh"]
        self.session.headers["Authorization"] = f"Bearer {self.access}"

    def timed_get(self, path: str, *, url: str | None = None) -> tuple[int, float, int]:
        """(status, seconds, body bytes) of one GET, the body read in full."""
        started = time.perf_counter()
        response = self.session.get(f"{url or self.url}{path}", timeout=300)
        body = response.content
        return response.status_code, time.perf_counter() - started, len(body)


@dataclass
class Series:
    samples: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    body_bytes: int = 0

    def add(self, status: int, seconds: float, size: int) -> None:
        self.samples.append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.body_bytes = size

    @property
    def ok(self) -> bool:
        return set(self.statuses) == {200}

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95(self) -> float:
        return self.percentile(0.95)

    def failure(self) -> str:
        return ", ".join(f"HTTP {status} x{count}" for status, count in sorted(self.statuses.items()) if status != 200)


def run(*, env: dict[str, str], args: list[str]) -> None:
    result = subprocess.run([sys.executable, *args], cwd=REPO, env=env, check=False, text=True, capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def seed(*, env: dict[str, str], sizes: list[int]) -> dict:
    """Run bench/seed_projects.py, echoing its progress; returns its JSON summary."""
    command = [sys.executable, "-m", "bench.seed_projects", "--sizes", *map(str, sizes)]
    with subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True) as process:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if not line.startswith("{"):
                print(line, end="", flush=True)
    if process.returncode != 0 or not lines or not lines[-1].startswith("{"):
        raise RuntimeError(f"seeding failed ({process.returncode})")
    return json.loads(lines[-1])
