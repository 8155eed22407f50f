"""Mixed reads and writes at many concurrent connections, optionally with a
PostgreSQL restart in the middle.

    .venv/bin/python -m bench.load_test [--seconds 60] [--connections 32] [--records 10000]
                                        [--restart-db-at 20] [--keep-db]

Serves the working tree with gunicorn (gthread workers) against a PostgreSQL
database of its own, seeded with one project, and runs `--connections` client
threads for `--seconds`: record lists (plain and filtered), record details,
analytics summary/categories/trends, creating records, editing and deleting
the client's own records. Then it checks what was acknowledged:

- every record answered 201 is in the database, with the amount it was given
  (or the last amount a 200 PATCH set), deleted exactly when a 204 said so;
- `manage.py verify_analytics` finds the rollups equal to the records.

With `--restart-db-at S`, PostgreSQL is restarted S seconds into the run
(`pg_ctlcluster ... restart`); the script polls `/ready/` meanwhile and reports
how long it answered 503, how the API answered during the outage (503 with
Retry-After is expected, 5xx of any other kind is a failure) and that the same
gunicorn serves normally afterwards, without a restart.

Prints throughput, status counts and p50/p95 per operation. Exit status 1 when
anything failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import psycopg
import requests

from bench.harness import REPO, Series, Server, database_url, drop_database, recreate_database, run, seed

PG_VERSION = os.environ.get("PG_CLUSTER_VERSION", "15")


@dataclass
class Ledger:
    """What the service acknowledged, to check against the database afterwards."""

    created: dict[str, Decimal] = field(default_factory=dict)  # id -> last acknowledged amount
    deleted: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Tally:
    series: dict[str, Series] = field(default_factory=lambda: defaultdict(Series))
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, operation: str, status: int, seconds: float, *, outage: bool) -> None:
        with self.lock:
            self.series[operation].add(status, seconds, 0)
            self.statuses[status] += 1
            acceptable = status < 500 or (status == 503 and outage)
            if not acceptable or status in (400, 401, 403, 404, 409):
                self.failures.append(f"{operation}: HTTP {status}{' during the outage' if outage else ''}")


class Outage:
    """Restarts PostgreSQL at a given time and watches /ready/ meanwhile."""

    def __init__(self, url: str, at: float):
        self.url, self.at = url, at
        self.active = threading.Event()
        self.ready_statuses: Counter = Counter()
        self.unready_seconds = 0.0
        self.restart_seconds = 0.0

    def run(self, started: float) -> None:
        time.sleep(max(0.0, started + self.at - time.monotonic()))
        self.active.set()
        began = time.monotonic()
        watcher = threading.Thread(target=self._watch_ready, daemon=True)
        watcher.start()
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "restart"],
            check=True,
            capture_output=True,
        )
        self.restart_seconds = time.monotonic() - began
        watcher.join(timeout=60)
        self.active.clear()

    def _watch_ready(self) -> None:
        first_503 = last_503 = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status = requests.get(f"{self.url}/ready/", timeout=5).status_code
            except requests.RequestException:
                status = 0
            self.ready_statuses[status] += 1
            now = time.monotonic()
            if status == 503:
                first_503 = first_503 or now
                last_503 = now
            elif status == 200 and first_503 is not None:
                break
            time.sleep(0.05)
        if first_503 is not None:
            self.unready_seconds = last_503 - first_503


def worker(
    *,
    url: str,
    token: str,
    project: str,
    categories: list[dict],
    deadline: float,
    ledger: Ledger,
    tally: Tally,
    outage: Outage | None,
    seed_value: int,
) -> None:
    rng = random.Random(seed_value)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    base = f"{url}/api/v1/projects/{project}"
    mine: list[str] = []
    operations = [
        ("list records", 25),
        ("filtered records", 15),
        ("record detail", 10),
        ("analytics summary", 10),
        ("analytics categories", 5),
        ("analytics trends", 5),
        ("create record", 20),
        ("edit own record", 6),
        ("delete own record", 4),
    ]
    names, weights = zip(*operations, strict=True)
    while time.monotonic() < deadline:
        operation = rng.choices(names, weights)[0]
        if operation in ("record detail", "edit own record", "delete own record") and not mine:
            operation = "create record"
        during_outage = bool(outage and outage.active.is_set())
        started = time.perf_counter()
        try:
            status = perform(operation, session, base, rng, categories, mine, ledger)
        except requests.RequestException as exc:
            with tally.lock:
                tally.failures.append(f"{operation}: {type(exc).__name__}")
            continue
        tally.add(
            operation,
            status,
            time.perf_counter() - started,
            outage=during_outage or bool(outage and outage.active.is_set()),
        )


def perform(operation, session, base, rng, categories, mine, ledger) -> int:
    if operation == "list records":
        return session.get(f"{base}/records/", params={"page_size": 50}, timeout=60).status_code
    if operation == "filtered records":
        params = {"type": "expense", "amount_min": "10", "date_from": "2025-01-01", "page_size": 50}
        return session.get(f"{base}/records/", params=params, timeout=60).status_code
    if operation == "record detail":
        return session.get(f"{base}/records/{rng.choice(mine)}/", timeout=60).status_code
    if operation == "analytics summary":
        return session.get(f"{base}/analytics/summary", timeout=60).status_code
    if operation == "analytics categories":
        return session.get(f"{base}/analytics/categories", params={"type": "expense"}, timeout=60).status_code
    if operation == "analytics trends":
        return session.get(f"{base}/analytics/trends", params={"interval": "week"}, timeout=60).status_code
    if operation == "create record":
        category = rng.choice(categories)
        amount = Decimal(rng.randint(1, 500_000)) / 100
        body = {
            "type": category["type"],
            "amount": f"{amount:.2f}",
            "category": category["id"],
            "date": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
            "description": "load test",
        }
        response = session.post(f"{base}/records/", json=body, timeout=60)
        if response.status_code == 201:
            record_id = response.json()["id"]
            mine.append(record_id)
            with ledger.lock:
                ledger.created[record_id] = amount
        return response.status_code
    record_id = rng.choice(mine)
    if operation == "edit own record":
        amount = Decimal(rng.randint(1, 500_000)) / 100
        response = session.patch(f"{base}/records/{record_id}/", json={"amount": f"{amount:.2f}"}, timeout=60)
        if response.status_code == 200:
            with ledger.lock:
                ledger.created[record_id] = amount
        return response.status_code
    response = session.delete(f"{base}/records/{record_id}/", timeout=60)
    if response.status_code == 204:
        mine.remove(record_id)
        with ledger.lock:
            ledger.deleted.add(record_id)
    return response.status_code


def check_database(db_url: str, ledger: Ledger) -> list[str]:
    problems = []
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT id::text, amount, deleted_at IS NOT NULL FROM records_record WHERE id = ANY(%s::uuid[])",
            [list(ledger.created)],
        ).fetchall()
    stored = {row[0]: (row[1], row[2]) for row in rows}
    for record_id, amount in ledger.created.items():
        if record_id not in stored:
            problems.append(f"acknowledged record {record_id} is missing")
            continue
        if stored[record_id][0] != amount:
            problems.append(f"record {record_id}: stored {stored[record_id][0]}, acknowledged {amount}")
        if stored[record_id][1] != (record_id in ledger.deleted):
            problems.append(f"record {record_id}: deleted flag disagrees with the acknowledgements")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--records", type=int, default=10_000, help="Records seeded before the run.")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (gthread).")
    parser.add_argument("--threads", type=int, default=4, help="Threads per gunicorn worker.")
    parser.add_argument("--restart-db-at", type=float, help="Restart PostgreSQL this many seconds into the run.")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--admin-url", default=os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--db-name", default="fd_bench_load")
    args = parser.parse_args()

    db_url = database_url(args.admin_url, args.db_name)
    log_dir = Path(tempfile.mkdtemp(prefix="fd-load-"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_SETTINGS_MODULE": "finance_dashboard.settings",
        "DATABASE_URL": db_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ACCESS_TOKEN_MINUTES": "60",
        "THROTTLE_AUTH_IP": "100000/min",
        "THROTTLE_AUTH_EMAIL": "100000/min",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    failed = False
    with contextlib.ExitStack() as cleanup:
        print(f"database {args.db_name}; logs in {log_dir}", flush=True)
        recreate_database(args.admin_url, args.db_name)
        if not args.keep_db:
            cleanup.callback(drop_database, args.admin_url, args.db_name)
        run(env=env, args=["manage.py", "migrate", "--noinput"])
        tenant = seed(env=env, sizes=[args.records])
        project = tenant["projects"][0]["id"]
        server = Server(
            env=env,
            log_dir=log_dir,
            name="load",
            options=(
                f"--workers={args.workers}",
                f"--threads={args.threads}",
                "--worker-class=gthread",
                "--timeout=120",
            ),
        )
        cleanup.callback(server.stop)
        server.wait_ready()
        tokens = requests.post(
            f"{server.url}/api/v1/auth/login",
            json={"email": tenant["email"], "password": tenant["password"]},
            timeout=60,
        ).json()
        headers = {"Authorization": f"Bearer {tokens['access']}"}
        categories = requests.get(
            f"{server.url}/api/v1/projects/{project}/categories/",
            params={"page_size": 200},
            headers=headers,
            timeout=60,
        ).json()["results"]

        ledger, tally = Ledger(), Tally()
        outage = Outage(server.url, args.restart_db_at) if args.restart_db_at is not None else None
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(
                target=worker,
                kwargs={
                    "url": server.url,
                    "token": tokens["access"],
                    "project": project,
                    "categories": categories,
                    "deadline": deadline,
                    "ledger": ledger,
                    "tally": tally,
                    "outage": outage,
                    "seed_value": index,
                },
            )
            for index in range(args.connections)
        ]
        if outage:
            threads.append(threading.Thread(target=outage.run, args=(started,)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        after = requests.get(f"{server.url}/api/v1/projects/{project}/analytics/summary", headers=headers, timeout=60)
        problems = check_database(db_url, ledger)
        verify = subprocess.run(
            [sys.executable, "manage.py", "verify_analytics"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

        total = sum(tally.statuses.values())
        print(
            f"\n{args.connections} connections for {elapsed:.0f} s against gunicorn "
            f"({args.workers} gthread workers x {args.threads} threads), {args.records:,} records seeded"
        )
        print(f"requests: {total:,} ({total / elapsed:.0f}/s); statuses: {dict(sorted(tally.statuses.items()))}")
        print(f"{'operation':<22} {'count':>7} {'p50 ms':>8} {'p95 ms':>8}")
        for name, series in sorted(tally.series.items()):
            print(f"{name:<22} {len(series.samples):>7} {series.p50:>8.1f} {series.p95:>8.1f}")
        print(
            f"records acknowledged: {len(ledger.created):,} created, {len(ledger.deleted):,} deleted; "
            f"missing or wrong in the database: {len(problems)}"
        )
        print(f"verify_analytics: {'clean' if verify.returncode == 0 else 'DIFFERENCES'}")
        if outage:
            print(
                f"PostgreSQL restart took {outage.restart_seconds:.1f} s; /ready/ answered "
                f"{dict(outage.ready_statuses)} while polled, 503 for {outage.unready_seconds:.1f} s"
            )
            print(f"after the restart the same gunicorn answered analytics/summary with HTTP {after.status_code}")
        unexpected = tally.failures
        for line in (problems + unexpected)[:20]:
            print(f"  ! {line}")
        failed = bool(problems or unexpected or verify.returncode != 0 or after.status_code != 200)
        if outage and not outage.unready_seconds and 503 not in outage.ready_statuses:
            print("  ! /ready/ never answered 503 during the restart")
        print(json.dumps({"requests": total, "failures": len(unexpected), "lost_writes": len(problems)}))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
