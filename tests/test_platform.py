"""Things every client relies on: probes, docs, the error envelope."""

import re

import pytest
from django.core.management import call_command
from django.db import DatabaseError


def test_health_does_not_touch_the_database(client):
    # No database fixture: pytest-django fails any query this would make.
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_answers_200_when_the_database_answers(client):
    assert client.get("/ready/").status_code == 200


@pytest.mark.django_db
def test_ready_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def boom(self, sql, params=None):
        raise DatabaseError("down")

    monkeypatch.setattr(CursorWrapper, "execute", boom)
    response = client.get("/ready/")
    assert response.status_code == 503


@pytest.mark.parametrize("path", ["/api/v1/does-not-exist", "/api/v1/organizations/not-a-uuid/", "/nothing"])
def test_unknown_paths_get_the_json_envelope(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


@pytest.mark.django_db
def test_trailing_slash_is_optional_on_api_paths(api_client):
    first = api_client.post("/api/v1/auth/otp/request/", {"email": "a@example.com"})
    assert first.status_code == 202


def test_docs_and_schema_are_served_without_a_cdn(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert client.get("/redoc").status_code == 200
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/auth/login" in schema.json()["paths"]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_other_hosts(client, path):
    # Regression: drf-spectacular's ReDoc page linked Google Fonts (a CDN).
    html = client.get(path).content.decode()
    assert re.findall(r"https?://|//fonts\.", html) == []
    assets = re.findall(r"""<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)\"""", html)
    assert assets
    assert all(asset.startswith("/static/") for asset in assets), assets


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


@pytest.mark.django_db
def test_an_unreachable_database_is_503_with_retry_after(user_client, monkeypatch):
    from django.db import OperationalError

    from accounts import authentication

    class Down:
        def select_related(self, *args):
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(authentication.AuthSession, "objects", Down())
    user_client.raise_request_exception = False  # a 5xx is still reported to monitoring
    response = user_client.get("/api/v1/me")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["errors"][0]["code"] == "service_unavailable"
