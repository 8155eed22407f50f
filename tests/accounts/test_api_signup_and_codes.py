from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import AuthSession, CodeFailure, EmailCode, User
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.helpers import bearer, error_codes, last_code, wrong

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
VERIFY = "/api/v1/auth/email/verify"
LOGIN = "/api/v1/auth/login"
OTP_REQUEST = "/api/v1/auth/otp/request"
OTP_VERIFY = "/api/v1/auth/otp/verify"
STRONG = "Tr1cky-but-fine!"


def register(api_client, email="new@example.com", password=STRONG, name="New Person"):
    return api_client.post(REGISTER, {"email": email, "password": password, "name": name}, format="json")


class TestRegister:
    def test_register_creates_unverified_user_and_emails_a_code(self, api_client):
        response = register(api_client, email="New@Example.com")

        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"id", "email", "name", "email_verified"}
        assert body["email"] == "new@example.com"
        assert body["email_verified"] is False
        assert len(last_code("new@example.com")) == 6

    def test_taken_email_is_400_case_insensitively(self, api_client):
        UserFactory(email="taken@example.com")
        response = register(api_client, email="TAKEN@example.com")
        assert response.status_code == 400
        assert error_codes(response) == ["email_taken"]
        assert User.objects.filter(email__iexact="taken@example.com").count() == 1

    @pytest.mark.parametrize("password", ["short", "12345678901", "password123", "new@example.com"])
    def test_weak_password_is_400_and_creates_nothing(self, api_client, password):
        response = register(api_client, password=password)
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "password"
        assert not User.objects.exists()
        assert not mail.outbox

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"email": "not-an-email", "password": STRONG, "name": "x"},
            {"email": ["a@b.c"], "password": STRONG, "name": "x"},
            {"email": "a@example.com", "password": STRONG, "name": "x" * 151},
            {"email": "a@example.com", "password": 12345, "name": None},
            {"email": f"{'a' * 250}@example.com", "password": STRONG, "name": "x"},
        ],
    )
    def test_malformed_bodies_are_400(self, api_client, body):
        response = api_client.post(REGISTER, body, format="json")
        assert response.status_code == 400
        assert response.json()["type"] == "validation_error"
        assert not User.objects.exists()

    def test_non_json_body_is_4xx_in_envelope(self, api_client):
        response = api_client.post(REGISTER, "email=x", content_type="application/x-www-form-urlencoded")
        assert response.status_code == 415
        assert error_codes(response) == ["unsupported_media_type"]

        response = api_client.post(REGISTER, "{broken", content_type="application/json")
        assert response.status_code == 400
        assert error_codes(response) == ["parse_error"]


class TestVerifyEmail:
    def test_code_verifies_email_and_signs_in(self, api_client):
        register(api_client)
        response = api_client.post(VERIFY, {"email": "new@example.com", "code": last_code("new@example.com")})

        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"access", "refresh", "user"}
        assert body["user"]["email_verified"] is True
        assert api_client.get("/api/v1/me", **bearer(body["access"])).json()["email_verified"] is True

    def test_wrong_code_is_400(self, api_client):
        register(api_client)
        code = last_code("new@example.com")
        response = api_client.post(VERIFY, {"email": "new@example.com", "code": wrong(code)})
        assert response.status_code == 400
        assert error_codes(response) == ["invalid_code"]

    def test_code_is_single_use(self, api_client):
        register(api_client)
        code = last_code("new@example.com")
        assert api_client.post(VERIFY, {"email": "new@example.com", "code": code}).status_code == 200
        assert api_client.post(VERIFY, {"email": "new@example.com", "code": code}).status_code == 400

    def test_expired_code_is_400(self, api_client):
        register(api_client)
        code = last_code("new@example.com")
        EmailCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        assert api_client.post(VERIFY, {"email": "new@example.com", "code": code}).status_code == 400

    def test_code_is_bound_to_its_email(self, api_client):
        register(api_client)
        register(api_client, email="other@example.com")
        code = last_code("new@example.com")
        assert api_client.post(VERIFY, {"email": "other@example.com", "code": code}).status_code == 400

    def test_code_is_bound_to_its_purpose(self, api_client):
        register(api_client)
        code = last_code("new@example.com")
        # A verification code is not a sign-in code.
        assert api_client.post(OTP_VERIFY, {"email": "new@example.com", "code": code}).status_code == 400

    def test_codes_are_stored_hashed(self, api_client):
        register(api_client)
        code = last_code("new@example.com")
        stored = EmailCode.objects.get()
        assert code not in stored.code_hash
        assert len(stored.code_hash) == 64


class TestPasswordLogin:
    def test_login_returns_tokens_and_creates_a_session(self, api_client, user):
        response = api_client.post(LOGIN, {"email": user.email.upper(), "password": PASSWORD})
        assert response.status_code == 200
        assert response.json()["user"]["id"] == str(user.id)
        session = AuthSession.objects.get(user=user)
        assert session.method == "password"

    def test_wrong_password_and_unknown_email_get_the_same_401(self, api_client, user):
        wrong_password = api_client.post(LOGIN, {"email": user.email, "password": "nope-nope-nope"})
        unknown = api_client.post(LOGIN, {"email": "ghost@example.com", "password": "nope-nope-nope"})
        assert wrong_password.status_code == unknown.status_code == 401
        assert wrong_password.json() == unknown.json()

    def test_unverified_email_is_403_and_sends_a_fresh_code(self, api_client):
        user = UserFactory(verified=False)
        response = api_client.post(LOGIN, {"email": user.email, "password": PASSWORD})
        assert response.status_code == 403
        assert error_codes(response) == ["email_not_verified"]
        code = last_code(user.email)
        assert api_client.post(VERIFY, {"email": user.email, "code": code}).status_code == 200

    def test_deactivated_user_cannot_log_in(self, api_client):
        user = UserFactory(is_active=False)
        assert api_client.post(LOGIN, {"email": user.email, "password": PASSWORD}).status_code == 401


class TestEmailCodeLogin:
    def test_request_is_202_whether_or_not_the_account_exists(self, api_client, user):
        known = api_client.post(OTP_REQUEST, {"email": user.email})
        unknown = api_client.post(OTP_REQUEST, {"email": "nobody@example.com"})
        assert known.status_code == unknown.status_code == 202
        assert known.content == unknown.content

    def test_code_signs_in_an_existing_user(self, api_client, user):
        api_client.post(OTP_REQUEST, {"email": user.email})
        response = api_client.post(OTP_VERIFY, {"email": user.email, "code": last_code(user.email)})
        assert response.status_code == 200
        assert response.json()["user"]["id"] == str(user.id)

    def test_code_signs_up_a_new_verified_user(self, api_client):
        api_client.post(OTP_REQUEST, {"email": "Fresh@Example.com"})
        response = api_client.post(OTP_VERIFY, {"email": "fresh@example.com", "code": last_code("fresh@example.com")})
        assert response.status_code == 200
        assert response.json()["user"]["email_verified"] is True
        assert User.objects.filter(email="fresh@example.com").exists()

    def test_new_code_voids_the_older_one(self, api_client, user):
        api_client.post(OTP_REQUEST, {"email": user.email})
        first = last_code(user.email)
        api_client.post(OTP_REQUEST, {"email": user.email})
        second = last_code(user.email)
        if first != second:
            assert api_client.post(OTP_VERIFY, {"email": user.email, "code": first}).status_code == 400
        assert api_client.post(OTP_VERIFY, {"email": user.email, "code": second}).status_code == 200

    def test_code_dies_after_five_wrong_tries(self, api_client, user):
        api_client.post(OTP_REQUEST, {"email": user.email})
        code = last_code(user.email)
        for _ in range(5):
            assert api_client.post(OTP_VERIFY, {"email": user.email, "code": wrong(code)}).status_code == 400
        # The sixth try, even with the right code, fails: the code is dead.
        response = api_client.post(OTP_VERIFY, {"email": user.email, "code": code})
        assert response.status_code == 400
        assert error_codes(response) == ["invalid_code"]

    def test_four_wrong_tries_leave_the_code_alive(self, api_client, user):
        api_client.post(OTP_REQUEST, {"email": user.email})
        code = last_code(user.email)
        for _ in range(4):
            api_client.post(OTP_VERIFY, {"email": user.email, "code": wrong(code)})
        assert api_client.post(OTP_VERIFY, {"email": user.email, "code": code}).status_code == 200

    def test_ten_wrong_codes_in_an_hour_lock_the_email_with_429(self, api_client, user):
        for _ in range(2):
            api_client.post(OTP_REQUEST, {"email": user.email})
            code = last_code(user.email)
            for _ in range(5):
                assert api_client.post(OTP_VERIFY, {"email": user.email, "code": wrong(code)}).status_code == 400
        api_client.post(OTP_REQUEST, {"email": user.email})
        good = last_code(user.email)

        response = api_client.post(OTP_VERIFY, {"email": user.email, "code": good})

        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 3600
        assert response.json()["type"] == "client_error"

    def test_lock_lifts_when_the_hour_has_passed(self, api_client, user):
        CodeFailure.objects.bulk_create(
            [CodeFailure(email=user.email, created_at=timezone.now() - timedelta(minutes=61)) for _ in range(10)]
        )
        api_client.post(OTP_REQUEST, {"email": user.email})
        assert api_client.post(OTP_VERIFY, {"email": user.email, "code": last_code(user.email)}).status_code == 200

    def test_unknown_email_never_gets_a_usable_code_by_guessing(self, api_client):
        response = api_client.post(OTP_VERIFY, {"email": "ghost@example.com", "code": "123456"})
        assert response.status_code == 400
        assert not User.objects.exists()
