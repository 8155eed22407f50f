"""Two gunicorn instances on different ports sharing PostgreSQL and Redis:
throttles and session revocation must hold across both.

    .venv/bin/python -m bench.two_instances [--redis-url redis://127.0.0.1:6379/15]

Checks, printing one line each:
- password sign-ins for one address, alternating between the instances, are
  throttled after THROTTLE_AUTH_EMAIL attempts in total (the counter lives in
  Redis), answering 429 with Retry-After on either instance;
- without REDIS_URL (the same run, for contrast) each instance counts alone;
- a session signed in on A and logged out on B is refused on A at once, and
  its refresh token too; a session revoked with DELETE /auth/sessions/{id} on
  A is refused on B;
- a password change on B refuses A's other sessions.
Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import sys
import tempfile
from pathlib import Path

import redis
import requests

from bench.harness import Server, database_url, drop_database, recreate_database, run, seed

EMAIL_LIMIT = 6


def servers(env: dict[str, str], log_dir: Path, cleanup: contextlib.ExitStack, tag: str) -> tuple[Server, Server]:
    pair = []
    for name in ("a", "b"):
        server = Server(env=env, log_dir=log_dir, name=f"{tag}-{name}")
        cleanup.callback(server.stop)
        pair.append(server)
    for server in pair:
        server.wait_ready()
    return pair[0], pair[1]


def login(url: str, email: str, password: str) -> requests.Response:
    return requests.post(f"{url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=30)


def throttle_check(a: Server, b: Server, email: str) -> list[int]:
    """Wrong-password attempts for one address, alternating A, B, A, ..."""
    return [login(server.url, email, "wrong-password").status_code for server in [a, b] * EMAIL_LIMIT][
        : EMAIL_LIMIT + 2
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument(
        "--admin-url", default=os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--db-name", default="fd_bench_two")
    args = parser.parse_args()

    log_dir = Path(tempfile.mkdtemp(prefix="fd-two-"))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_SETTINGS_MODULE": "finance_dashboard.settings",
        "DATABASE_URL": database_url(args.admin_url, args.db_name),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "THROTTLE_AUTH_EMAIL": f"{EMAIL_LIMIT}/min",
        "THROTTLE_AUTH_IP": "100000/min",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    results: list[tuple[str, bool, str]] = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        results.append((name, ok, detail))
        print(f"{'PASS' if ok else 'FAIL'}  {name}  {detail}", flush=True)

    with contextlib.ExitStack() as cleanup:
        recreate_database(args.admin_url, args.db_name)
        cleanup.callback(drop_database, args.admin_url, args.db_name)
        run(env=env, args=["manage.py", "migrate", "--noinput"])
        tenant = seed(env=env, sizes=[10])
        email, password = tenant["email"], tenant["password"]
        redis.Redis.from_url(args.redis_url).flushdb()

        # Without Redis each instance counts on its own: the contrast.
        local_a, local_b = servers(env, log_dir, cleanup, "local")
        statuses = throttle_check(local_a, local_b, "nobody-local@example.com")
        check("without Redis, instances throttle separately", 429 not in statuses[: EMAIL_LIMIT + 2], str(statuses))
        local_a.stop()
        local_b.stop()

        shared_env = {**env, "REDIS_URL": args.redis_url}
        a, b = servers(shared_env, log_dir, cleanup, "redis")
        statuses = throttle_check(a, b, "nobody@example.com")
        check(
            f"with Redis, {EMAIL_LIMIT} attempts across both instances, then 429",
            statuses[:EMAIL_LIMIT] == [401] * EMAIL_LIMIT and statuses[EMAIL_LIMIT:] == [429, 429],
            str(statuses),
        )
        retry = login(b.url, "nobody@example.com", "x")
        check(
            "429 carries Retry-After",
            retry.status_code == 429 and retry.headers.get("Retry-After", "").isdigit(),
            retry.headers.get("Retry-After", "none"),
        )

        tokens = login(a.url, email, password).json()
        bearer = {"Authorization": f"Bearer {tokens['access']}"}
        check("signed in on A is served on B", requests.get(f"{b.url}/api/v1/me", headers=bearer, timeout=30).ok)
        logout = requests.post(f"{b.url}/api/v1/auth/logout", headers=bearer, timeout=30)
        me_on_a = requests.get(f"{a.url}/api/v1/me", headers=bearer, timeout=30)
        check(
            "logout on B refuses the token on A at once",
            logout.status_code == 204 and me_on_a.status_code == 401,
            f"logout {logout.status_code}, then A {me_on_a.status_code}",
        )
        refresh = requests.post(f"{a.url}/api/v1/auth/token/refresh", json={"refresh": tokens["refresh"]}, timeout=30)
        check("its refresh token is refused on A", refresh.status_code == 401, str(refresh.status_code))

        first = login(a.url, email, password).json()
        second = login(b.url, email, password).json()
        first_bearer = {"Authorization": f"Bearer {first['access']}"}
        second_bearer = {"Authorization": f"Bearer {second['access']}"}
        sessions = requests.get(f"{a.url}/api/v1/auth/sessions", headers=first_bearer, timeout=30).json()["results"]
        other = next(row["id"] for row in sessions if not row["current"])
        revoked = requests.delete(f"{a.url}/api/v1/auth/sessions/{other}", headers=first_bearer, timeout=30)
        me_on_b = requests.get(f"{b.url}/api/v1/me", headers=second_bearer, timeout=30)
        check(
            "a session revoked on A is refused on B",
            revoked.status_code == 204 and me_on_b.status_code == 401,
            f"revoke {revoked.status_code}, then B {me_on_b.status_code}",
        )

        third = login(a.url, email, password).json()
        fourth = login(a.url, email, password).json()
        change = requests.post(
            f"{b.url}/api/v1/auth/password/change",
            json={"current_password": password, "new_password": "another-good-passphrase-42"},
            headers={"Authorization": f"Bearer {fourth['access']}"},
            timeout=30,
        )
        stale = requests.get(f"{a.url}/api/v1/me", headers={"Authorization": f"Bearer {third['access']}"}, timeout=30)
        check(
            "a password change on B refuses A's other sessions",
            change.status_code == 204 and stale.status_code == 401,
            f"change {change.status_code}, then A {stale.status_code}",
        )
    failed = [name for name, ok, _ in results if not ok]
    print(f"\n{len(results) - len(failed)}/{len(results)} checks passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
