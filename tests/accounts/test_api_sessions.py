import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import AuthSession
from accounts.services import user_set_active
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.helpers import bearer, error_codes, last_code

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/token/refresh"
LOGOUT = "/api/v1/auth/logout"
SESSIONS = "/api/v1/auth/sessions"
ME = "/api/v1/me"


def login(client, user) -> dict:
    response = client.post(LOGIN, {"email": user.email, "password": PASSWORD}, HTTP_USER_AGENT="pytest-agent")
    assert response.status_code == 200, response.content
    return response.json()


class TestAccessTokens:
    def test_me_needs_a_token(self, api_client):
        response = api_client.get(ME)
        assert response.status_code == 401
        assert error_codes(response) == ["not_authenticated"]
        assert response["WWW-Authenticate"].startswith("Bearer")

    @pytest.mark.parametrize(
        "header",
        ["Bearer garbage", "Bearer a.b.c", "Bearer one two", "Bearer", "Token abc"],
    )
    def test_garbage_tokens_are_401(self, api_client, header):
        response = api_client.get(ME, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
        assert response.json()["type"] == "client_error"

    def test_refresh_token_is_not_an_access_token(self, api_client, user):
        tokens = login(api_client, user)
        assert api_client.get(ME, **bearer(tokens["refresh"])).status_code == 401

    def test_auth_check_costs_one_query(self, api_client, user):
        tokens = login(api_client, user)
        with CaptureQueriesContext(connection) as queries:
            api_client.get(ME, **bearer(tokens["access"]))
        auth_queries = [q for q in queries.captured_queries if "accounts_authsession" in q["sql"]]
        assert len(auth_queries) == 1


class TestRefresh:
    def test_refresh_rotates_the_pair(self, api_client, user):
        tokens = login(api_client, user)
        response = api_client.post(REFRESH, {"refresh": tokens["refresh"]})
        assert response.status_code == 200
        rotated = response.json()
        assert set(rotated) == {"access", "refresh"}
        assert rotated["refresh"] != tokens["refresh"]
        assert api_client.get(ME, **bearer(rotated["access"])).status_code == 200
        assert api_client.post(REFRESH, {"refresh": rotated["refresh"]}).status_code == 200

    def test_replayed_refresh_token_revokes_the_whole_session(self, api_client, user):
        tokens = login(api_client, user)
        rotated = api_client.post(REFRESH, {"refresh": tokens["refresh"]}).json()

        replay = api_client.post(REFRESH, {"refresh": tokens["refresh"]})

        assert replay.status_code == 401
        # Both the thief's and the rightful holder's tokens are dead now.
        assert api_client.get(ME, **bearer(rotated["access"])).status_code == 401
        assert api_client.post(REFRESH, {"refresh": rotated["refresh"]}).status_code == 401
        assert AuthSession.objects.get(user=user).revoke_reason == "refresh_replayed"

    @pytest.mark.parametrize("refresh", ["garbage", "", "a" * 5000])
    def test_bad_refresh_token_is_4xx(self, api_client, refresh):
        assert api_client.post(REFRESH, {"refresh": refresh}).status_code in (400, 401)

    def test_access_token_cannot_refresh(self, api_client, user):
        tokens = login(api_client, user)
        assert api_client.post(REFRESH, {"refresh": tokens["access"]}).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_two_parallel_refreshes_only_one_wins():
    user = UserFactory()
    tokens = login(APIClient(), user)
    barrier = threading.Barrier(2)
    statuses = []

    def refresh():
        client = APIClient()
        barrier.wait()
        statuses.append(client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code)
        connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 401]
    # Whoever lost presented a token that was no longer current: a replay.
    assert AuthSession.objects.get(user=user).revoked_at is not None


class TestLogoutAndSessions:
    def test_logout_refuses_the_old_access_token_at_once(self, api_client, user):
        tokens = login(api_client, user)
        assert api_client.post(LOGOUT, **bearer(tokens["access"])).status_code == 204
        assert api_client.get(ME, **bearer(tokens["access"])).status_code == 401
        assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401

    def test_logout_ends_only_the_current_session(self, api_client, user):
        first, second = login(api_client, user), login(api_client, user)
        api_client.post(LOGOUT, **bearer(first["access"]))
        assert api_client.get(ME, **bearer(second["access"])).status_code == 200

    def test_sessions_lists_live_sessions_and_marks_the_current_one(self, api_client, user):
        first, second = login(api_client, user), login(api_client, user)
        third = login(api_client, user)
        api_client.post(LOGOUT, **bearer(third["access"]))

        response = api_client.get(SESSIONS, **bearer(first["access"]))

        assert response.status_code == 200
        results = response.json()["results"]
        assert len(results) == 2
        assert set(results[0]) == {"id", "created_at", "last_used_at", "user_agent", "ip_address", "current"}
        assert [row["current"] for row in results].count(True) == 1
        assert {row["user_agent"] for row in results} == {"pytest-agent"}
        assert second

    def test_deleting_a_session_revokes_it(self, api_client, user):
        first, second = login(api_client, user), login(api_client, user)
        sid = next(s.id for s in AuthSession.objects.filter(user=user) if not _is_session_of(s, first))
        assert api_client.delete(f"{SESSIONS}/{sid}", **bearer(first["access"])).status_code == 204
        assert api_client.get(ME, **bearer(second["access"])).status_code == 401
        assert api_client.get(ME, **bearer(first["access"])).status_code == 200

    def test_another_users_session_is_404(self, api_client, user):
        mine = login(api_client, user)
        other = UserFactory()
        theirs = login(api_client, other)
        their_sid = AuthSession.objects.get(user=other).id
        assert api_client.delete(f"{SESSIONS}/{their_sid}", **bearer(mine["access"])).status_code == 404
        assert api_client.get(ME, **bearer(theirs["access"])).status_code == 200

    def test_sessions_list_query_count_is_constant(self, api_client, user, django_assert_max_num_queries):
        tokens = [login(api_client, user) for _ in range(5)]
        with django_assert_max_num_queries(3):
            api_client.get(SESSIONS, **bearer(tokens[0]["access"]))

    def test_ip_honours_num_proxies(self, api_client, user, settings):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        api_client.post(
            LOGIN, {"email": user.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7"
        )
        assert AuthSession.objects.get(user=user).ip_address == "198.51.100.7"

    def test_ip_ignores_forwarded_header_without_proxies(self, api_client, user):
        api_client.post(LOGIN, {"email": user.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert AuthSession.objects.get(user=user).ip_address == "127.0.0.1"


def _is_session_of(session, tokens) -> bool:
    from rest_framework_simplejwt.tokens import AccessToken

    return str(session.id) == AccessToken(tokens["access"])["sid"]


class TestDeactivation:
    def test_deactivated_user_is_refused_on_the_next_request(self, api_client, user):
        tokens = login(api_client, user)
        user_set_active(user=user, actor=None, active=False)
        assert api_client.get(ME, **bearer(tokens["access"])).status_code == 401
        assert api_client.post(REFRESH, {"refresh": tokens["refresh"]}).status_code == 401
        assert not AuthSession.objects.filter(user=user, revoked_at__isnull=True).exists()

    def test_inactive_flag_alone_refuses_tokens(self, api_client, user):
        # Even a deactivation that bypassed the service is caught by the per-request check.
        tokens = login(api_client, user)
        type(user).objects.filter(pk=user.pk).update(is_active=False)
        assert api_client.get(ME, **bearer(tokens["access"])).status_code == 401


class TestPasswords:
    def test_reset_request_is_202_for_known_and_unknown_addresses(self, api_client, user):
        known = api_client.post("/api/v1/auth/password/reset", {"email": user.email})
        unknown = api_client.post("/api/v1/auth/password/reset", {"email": "nobody@example.com"})
        assert known.status_code == unknown.status_code == 202
        assert known.content == unknown.content

    def test_reset_sets_the_password_and_revokes_every_session(self, api_client, user):
        tokens = login(api_client, user)
        api_client.post("/api/v1/auth/password/reset", {"email": user.email})
        response = api_client.post(
            "/api/v1/auth/password/reset/confirm",
            {"email": user.email, "code": last_code(user.email), "new_password": "Another-g00d-one"},
        )
        assert response.status_code == 204
        assert api_client.get(ME, **bearer(tokens["access"])).status_code == 401
        assert api_client.post(LOGIN, {"email": user.email, "password": "Another-g00d-one"}).status_code == 200
        assert api_client.post(LOGIN, {"email": user.email, "password": PASSWORD}).status_code == 401

    def test_reset_with_wrong_code_changes_nothing(self, api_client, user):
        api_client.post("/api/v1/auth/password/reset", {"email": user.email})
        response = api_client.post(
            "/api/v1/auth/password/reset/confirm",
            {
                "email": user.email,
                "code": "000000" if last_code(user.email) != "000000" else "111111",
                "new_password": "Another-g00d-one",
            },
        )
        assert response.status_code == 400
        assert api_client.post(LOGIN, {"email": user.email, "password": PASSWORD}).status_code == 200

    def test_reset_with_weak_password_is_400(self, api_client, user):
        api_client.post("/api/v1/auth/password/reset", {"email": user.email})
        response = api_client.post(
            "/api/v1/auth/password/reset/confirm",
            {"email": user.email, "code": last_code(user.email), "new_password": "123"},
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "new_password"

    def test_change_keeps_this_session_and_revokes_the_others(self, api_client, user):
        current, other = login(api_client, user), login(api_client, user)
        response = api_client.post(
            "/api/v1/auth/password/change",
            {"current_password": PASSWORD, "new_password": "Another-g00d-one"},
            **bearer(current["access"]),
        )
        assert response.status_code == 204
        assert api_client.get(ME, **bearer(current["access"])).status_code == 200
        assert api_client.get(ME, **bearer(other["access"])).status_code == 401

    def test_change_with_wrong_current_password_is_400(self, api_client, user):
        tokens = login(api_client, user)
        response = api_client.post(
            "/api/v1/auth/password/change",
            {"current_password": "not-it-at-all", "new_password": "Another-g00d-one"},
            **bearer(tokens["access"]),
        )
        assert response.status_code == 400
        assert error_codes(response) == ["wrong_password"]


class TestMe:
    def test_get_me(self, user_client, user):
        body = user_client.get(ME).json()
        assert body == {
            "id": str(user.id),
            "email": user.email,
            "name": user.name,
            "email_verified": True,
            "date_joined": body["date_joined"],
        }

    def test_patch_changes_name_only(self, user_client, user):
        response = user_client.patch(ME, {"name": "Renamed", "email": "evil@example.com", "id": "x"})
        assert response.status_code == 200
        user.refresh_from_db()
        assert (user.name, user.email) == ("Renamed", user.email)
        assert user.email != "evil@example.com"

    @pytest.mark.parametrize("name", ["", "x" * 151, None, ["a"]])
    def test_patch_rejects_bad_names(self, user_client, name):
        assert user_client.patch(ME, {"name": name}).status_code == 400
