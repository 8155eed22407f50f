"""A sign-in in a brand-new interpreter.

allauth 65.19-65.22 fail the first password or code sign-in of a process
(`cryptography.hazmat.primitives` has no attribute `serialization`); the test
client shares this test process, whose imports would hide that, so the check
runs in a subprocess against its own SQLite file.
"""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import django, os
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from rest_framework.test import APIClient
from tests.accounts.factories import UserFactory, PASSWORD
user = UserFactory()
client = APIClient()
response = client.post("/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
assert response.status_code == 200, response.content
response = client.post("/api/v1/auth/otp/request", {"email": user.email}, format="json")
assert response.status_code == 202, response.content
print("signed-in")
"""


def test_first_sign_in_of_a_fresh_process_works(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "finance_dashboard.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "signed-in" in result.stdout
