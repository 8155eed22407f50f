import pytest

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def tight_rates(settings):
    rates = {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
        "auth_email": "3/min",
        "auth_ip": "5/min",
        "email_send": "2/10m",
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    return rates


def test_login_is_throttled_per_email_with_retry_after(api_client, user, tight_rates):
    for _ in range(3):
        assert api_client.post(LOGIN, {"email": user.email, "password": "wrong-wrong"}).status_code == 401
    response = api_client.post(LOGIN, {"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["errors"][0]["code"] == "throttled"
    # Another address from the same IP is still served.
    assert api_client.post(LOGIN, {"email": "other@example.com", "password": "x"}).status_code == 401


def test_login_is_throttled_per_ip(api_client, tight_rates):
    statuses = [api_client.post(LOGIN, {"email": f"u{i}@example.com", "password": "x"}).status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]


def test_code_requests_are_throttled_per_email(api_client, user, tight_rates):
    statuses = [api_client.post("/api/v1/auth/otp/request", {"email": user.email}).status_code for _ in range(3)]
    assert statuses == [202, 202, 429]


def test_password_reset_requests_share_the_email_budget_shape(api_client, tight_rates):
    statuses = [
        api_client.post("/api/v1/auth/password/reset", {"email": "x@example.com"}).status_code for _ in range(3)
    ]
    assert statuses == [202, 202, 429]
