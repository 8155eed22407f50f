"""Fixtures shared by every test: clients, users, tenants and memberships."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import SignInMethod
from accounts.services import ClientInfo, session_create
from tests.accounts.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    # Hashing is not what these tests measure.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


def sign_in(client: APIClient, user) -> APIClient:
    """Give `client` a fresh session's access token for `user`."""
    pair = session_create(user=user, method=SignInMethod.PASSWORD, client=ClientInfo(user_agent="pytest"))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair.access}")
    client.session_pair = pair
    return client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def client_for(db):
    """`client_for(user)`: an APIClient signed in as `user`."""
    return lambda user: sign_in(APIClient(), user)


@pytest.fixture
def user_client(user, client_for):
    return client_for(user)


@pytest.fixture
def tenant(db):
    """An organization and project with a user in every role (see build_tenant)."""
    from tests.tenancy.factories import build_tenant

    return build_tenant()


@pytest.fixture
def other_tenant(db):
    from tests.tenancy.factories import build_tenant

    return build_tenant()


@pytest.fixture
def as_persona(tenant, client_for):
    """`as_persona("viewer")`: a client signed in as that persona of `tenant`
    (an anonymous client for "anonymous")."""

    def make(persona: str) -> APIClient:
        if persona == "anonymous":
            return APIClient()
        return client_for(tenant.users[persona])

    return make


@pytest.fixture
def org(tenant):
    return tenant.organization


@pytest.fixture
def project(tenant):
    return tenant.project


@pytest.fixture
def member(db):
    """`member(project, role=...)`: a new user holding `role` in `project`
    (and `member` in its organization)."""
    from tests.tenancy.factories import ProjectMemberFactory

    def make(project, role="viewer", **grants):
        from tests.tenancy.factories import grant

        membership = ProjectMemberFactory(project=project, role=role)
        if grants:
            grant(membership, **grants)
        return membership

    return make
