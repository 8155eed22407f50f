import pytest

from accounts.models import AuthSession
from conftest import sign_in
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_deactivating_in_the_admin_form_revokes_sessions(staff_client, api_client):
    target = UserFactory()
    sign_in(api_client, target)
    response = staff_client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        {
            "email": target.email,
            "name": target.name,
            "is_active": "",
            "auth_sessions-TOTAL_FORMS": "1",
            "auth_sessions-INITIAL_FORMS": "1",
            "auth_sessions-MIN_NUM_FORMS": "0",
            "auth_sessions-MAX_NUM_FORMS": "0",
            "auth_sessions-0-id": str(AuthSession.objects.get(user=target).pk),
            "auth_sessions-0-user": str(target.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert not target.is_active
    assert AuthSession.objects.get(user=target).revoke_reason == "user_deactivated"
    assert api_client.get("/api/v1/me").status_code == 401


def test_deactivate_action_revokes_sessions(staff_client, api_client):
    target = UserFactory()
    sign_in(api_client, target)
    response = staff_client.post(
        "/admin/accounts/user/", {"action": "deactivate_users", "_selected_action": [str(target.pk)]}
    )
    assert response.status_code == 302
    assert api_client.get("/api/v1/me").status_code == 401


def test_session_revoke_action(staff_client, api_client):
    target = UserFactory()
    sign_in(api_client, target)
    session = AuthSession.objects.get(user=target)
    staff_client.post("/admin/accounts/authsession/", {"action": "revoke", "_selected_action": [str(session.pk)]})
    assert api_client.get("/api/v1/me").status_code == 401


def test_user_changelist_filters_and_query_count(staff_client, django_assert_max_num_queries):
    UserFactory.create_batch(5)
    UserFactory.create_batch(3, verified=False)
    with django_assert_max_num_queries(8):
        response = staff_client.get("/admin/accounts/user/?verified=no&q=example")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
