"""Latency of the analytics, records and /me endpoints at 1k and 1M records.

    .venv/bin/python -m bench.analytics_bench [--records-large 1000000] [--requests 200] [--keep-db]

Against PostgreSQL, in a database of its own (dropped at the end unless
--keep-db, and dropped first if a previous run left it): migrates, seeds one
project per size for one owner with analytics.demo's bulk writer, serves the
app with `gunicorn finance_dashboard.wsgi` (2 workers), signs in over HTTP and
times sequential requests to every endpoint. Prints p50/p95 per endpoint and
size, the 1M/1k ratio, each analytics endpoint's p50 at 1M in units of /me's,
the gunicorn workers' peak RSS, and /me with the per-request session check
against a build that only loads the user (bench/settings_jwt_user.py).

Standard library and requests for the client; psycopg (a dependency of the
project) creates and drops the database. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import secrets
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import (
    Client,
    Series,
    Server,
    database_url,
    drop_database,
    recreate_database,
    run,
    seed,
    server_version,
)

SMALL = 1_000
WARMUP = 10


def measure(client: Client, path: str, requests_count: int) -> Series:
    for _ in range(WARMUP):
        client.timed_get(path)
    series = Series()
    for _ in range(requests_count):
        series.add(*client.timed_get(path))
    return series


def endpoints(today: datetime.date) -> list[tuple[str, str]]:
    year_ago = today - datetime.timedelta(days=365)
    quarter_ago = today - datetime.timedelta(days=90)
    half_year_ago = today - datetime.timedelta(days=182)
    project = "/api/v1/projects/{project}"
    return [
        ("analytics/summary", f"{project}/analytics/summary"),
        ("analytics/categories?type=expense", f"{project}/analytics/categories?type=expense"),
        ("analytics/trends month", f"{project}/analytics/trends?interval=month"),
        ("analytics/trends week, 1 year", f"{project}/analytics/trends?interval=week&date_from={year_ago}"),
        ("analytics/trends day, 90 days", f"{project}/analytics/trends?interval=day&date_from={quarter_ago}"),
        ("analytics/recent?limit=10", f"{project}/analytics/recent?limit=10"),
        ("records/?page_size=50", f"{project}/records/?page_size=50"),
        (
            "records/ filtered (expense, 6 months)",
            f"{project}/records/?type=expense&date_from={year_ago}&date_to={half_year_ago}&page_size=50",
        ),
        ("/me", "/api/v1/me"),
    ]


# --- the run -----------------------------------------------------------------------------------


def sizes_label(count: int) -> str:
    if count >= 1_000_000 and count % 1_000_000 == 0:
        return f"{count // 1_000_000}M"
    if count >= 1_000 and count % 1_000 == 0:
        return f"{count // 1_000}k"
    return f"{count:,}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records-large", type=int, default=1_000_000, help="Records in the large project.")
    parser.add_argument("--records-small", type=int, default=SMALL, help="Records in the small project.")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per endpoint and size.")
    parser.add_argument("--keep-db", action="store_true", help="Keep the database (and print its URL).")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="A PostgreSQL URL to create and drop the bench database with.",
    )
    parser.add_argument("--db-name", default="fd_bench_analytics", help="The bench database (recreated).")
    args = parser.parse_args()

    # A SIGTERM unwinds like Ctrl-C, so the cleanup below still runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    db_url = database_url(args.admin_url, args.db_name)
    sizes = [args.records_small, args.records_large]
    labels = [sizes_label(size) for size in sizes]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "finance_dashboard.settings",
        "DATABASE_URL": db_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "THROTTLE_AUTH_IP": "100000/min",
        "THROTTLE_AUTH_EMAIL": "100000/min",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    log_dir = Path(tempfile.mkdtemp(prefix="fd-bench-"))
    today = datetime.datetime.now(tz=datetime.UTC).date()

    with contextlib.ExitStack() as cleanup:
        print(
            f"PostgreSQL {server_version(args.admin_url)}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
            f"database {args.db_name}; logs in {log_dir}",
            flush=True,
        )
        recreate_database(args.admin_url, args.db_name)
        if args.keep_db:
            cleanup.callback(print, f"kept the database: DATABASE_URL={db_url}")
        else:
            cleanup.callback(drop_database, args.admin_url, args.db_name)

        started = time.perf_counter()
        run(env=env, args=["manage.py", "migrate", "--noinput", "-v0"])
        print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)

        started = time.perf_counter()
        tenant = seed(env=env, sizes=sizes)
        seed_seconds = time.perf_counter() - started
        print(f"seeded {' + '.join(f'{size:,}' for size in sizes)} records in {seed_seconds:.1f} s", flush=True)

        server = Server(env=env, log_dir=log_dir, name="session")
        cleanup.callback(server.stop)
        server.wait_ready()
        client = Client(server.url)
        client.login(tenant["email"], tenant["password"])

        results: dict[str, dict[str, Series]] = {}
        for label, project in zip(labels, tenant["projects"], strict=True):
            results[label] = {}
            for name, template in endpoints(today):
                client.refresh()
                series = measure(client, template.format(project=project["id"]), args.requests)
                results[label][name] = series
                status = f"p50 {series.p50:7.1f} ms  p95 {series.p95:7.1f} ms" if series.ok else series.failure()
                print(f"  {label:>4} {name:<40} {status}", flush=True)
        memory = server.memory()

        # /me with the session check, and with the bench-only variant that skips it.
        me_servers = {"session check (default)": server.url}
        for name, module in (("user lookup, no session", "bench.settings_jwt_user"),):
            variant_env = {**env, "DJANGO_SETTINGS_MODULE": module}
            variant = Server(env=variant_env, log_dir=log_dir, name=module.rsplit(".")[-1])
            cleanup.callback(variant.stop)
            variant.wait_ready()
            me_servers[name] = variant.url
        client.refresh()
        me_results = {name: Series() for name in me_servers}
        for _ in range(WARMUP):
            for url in me_servers.values():
                client.timed_get("/api/v1/me", url=url)
        # Round-robin over the servers request by request, so drift hits all alike.
        for _ in range(args.requests):
            for name, url in me_servers.items():
                me_results[name].add(*client.timed_get("/api/v1/me", url=url))

        report(
            labels=labels,
            sizes=sizes,
            results=results,
            memory=memory,
            server=server,
            me_results=me_results,
            log_dir=log_dir,
            requests_count=args.requests,
        )


def report(
    *,
    labels: list[str],
    sizes: list[int],
    results: dict[str, dict[str, Series]],
    memory: dict[int, dict[str, int]],
    server: Server,
    me_results: dict[str, Series],
    requests_count: int,
    log_dir: Path,
) -> None:
    small, large = labels

    def cell(series: Series, value: float) -> str:
        return f"{value:8.1f}" if series.ok else f"{series.failure():>8}"

    me = results[large]["/me"]
    print()
    print(
        f"Latency in ms over {requests_count} sequential requests per row and size ({WARMUP} untimed first), "
        f"{sizes[0]:,} vs {sizes[1]:,} records:"
    )
    header = (
        f"{'endpoint':<40} {small + ' p50':>8} {small + ' p95':>8} {large + ' p50':>8} {large + ' p95':>8} "
        f"{large + '/' + small:>8} {large + ' ÷ /me':>10}"
    )
    print(header)
    print("-" * len(header))
    for name in results[small]:
        a, b = results[small][name], results[large][name]
        ratio = f"{b.p50 / a.p50:8.2f}" if a.ok and b.ok else f"{'-':>8}"
        over_me = f"{b.p50 / me.p50:10.1f}" if name.startswith("analytics") and b.ok and me.ok else f"{'':>10}"
        print(f"{name:<40} {cell(a, a.p50)} {cell(a, a.p95)} {cell(b, b.p50)} {cell(b, b.p95)} {ratio} {over_me}")

    print()
    print("gunicorn memory after the run (kB): VmHWM is the peak resident set, VmRSS the current one")
    for pid, values in memory.items():
        role = "master" if pid == server.process.pid else "worker"
        print(f"  {role:<6} pid {pid:<8} VmHWM {values['VmHWM']:>9,}  VmRSS {values['VmRSS']:>9,}")

    print()
    print(f"GET /api/v1/me, {requests_count} requests each, round-robin over one gunicorn per authentication:")
    for name, series in me_results.items():
        result = f"p50 {series.p50:6.2f} ms  p95 {series.p95:6.2f} ms" if series.ok else series.failure()
        print(f"  {name:<26} {result}")
    baseline = me_results["session check (default)"]
    for name, series in me_results.items():
        if series is not baseline and series.ok and baseline.ok:
            print(f"  the session check costs {baseline.p50 - series.p50:+.2f} ms at p50 over {name!r}")
        elif not series.ok:
            print(f"  {name!r} cannot serve /me: see {log_dir}")


if __name__ == "__main__":
    main()
