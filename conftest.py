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
