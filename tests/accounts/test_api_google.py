"""Google sign-in against a locally generated RSA key served as a JWKS."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOGLE = "/api/v1/auth/google"
CLIENT_ID = "test-client.apps.googleusercontent.com"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = _key()
STRANGER_KEY = _key()


def jwks(*keys_and_ids) -> dict:
    keys = []
    for key, kid in keys_and_ids:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
    return {"keys": keys}


def id_token(key=SIGNING_KEY, kid="k1", **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": "https://accounts.google.com",
        "aud": CLIENT_ID,
        "sub": "1234567890",
        "email": "g.user@example.com",
        "email_verified": True,
        "name": "G User",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture(autouse=True)
def google_keys(settings, tmp_path):
    path = tmp_path / "certs.json"
    path.write_text(json.dumps(jwks((SIGNING_KEY, "k1"))))
    settings.GOOGLE_OAUTH_CLIENT_ID = CLIENT_ID
    settings.GOOGLE_OAUTH_CERTS_URL = path.as_uri()
    return path


class TestGoogleSignIn:
    def test_valid_token_signs_up_a_verified_user(self, api_client):
        response = api_client.post(GOOGLE, {"id_token": id_token()})
        assert response.status_code == 200, response.content
        assert response.json()["user"]["email"] == "g.user@example.com"
        assert response.json()["user"]["email_verified"] is True
        assert SocialAccount.objects.get(uid="1234567890").user.email == "g.user@example.com"

    def test_links_an_existing_account_by_verified_email(self, api_client):
        existing = UserFactory(email="g.user@example.com", verified=False)
        response = api_client.post(GOOGLE, {"id_token": id_token(email="G.User@example.com")})
        assert response.status_code == 200
        assert response.json()["user"]["id"] == str(existing.id)
        assert response.json()["user"]["email_verified"] is True
        assert User.objects.count() == 1

    def test_second_sign_in_uses_the_link(self, api_client):
        api_client.post(GOOGLE, {"id_token": id_token()})
        # Same Google account, email changed at Google: still the same user.
        response = api_client.post(GOOGLE, {"id_token": id_token(email="renamed@example.com")})
        assert response.status_code == 200
        assert response.json()["user"]["email"] == "g.user@example.com"

    @pytest.mark.parametrize(
        "token",
        [
            pytest.param(lambda: id_token(key=STRANGER_KEY), id="wrong-signature"),
            pytest.param(lambda: id_token(aud="someone-else"), id="wrong-audience"),
            pytest.param(lambda: id_token(iss="https://evil.example.com"), id="wrong-issuer"),
            pytest.param(lambda: id_token(exp=int(time.time()) - 120, iat=int(time.time()) - 900), id="expired"),
            pytest.param(lambda: id_token(email_verified=False), id="email-not-verified"),
            pytest.param(lambda: id_token(email=None), id="no-email"),
            pytest.param(lambda: id_token(kid="unknown"), id="unknown-kid"),
            pytest.param(
                lambda: jwt.encode({"sub": "1", "aud": CLIENT_ID}, "s" * 32, algorithm="HS256", headers={"kid": "k1"}),
                id="hs256-confusion",
            ),
            pytest.param(lambda: "not.a.jwt", id="garbage"),
        ],
    )
    def test_untrustworthy_tokens_are_401(self, api_client, token):
        response = api_client.post(GOOGLE, {"id_token": token()})
        assert response.status_code == 401
        assert not User.objects.exists()

    @pytest.mark.parametrize("body", [{}, {"id_token": ""}, {"id_token": 5}, {"id_token": "x" * 9000}])
    def test_malformed_bodies_are_400(self, api_client, body):
        assert api_client.post(GOOGLE, body).status_code == 400

    def test_unconfigured_client_id_refuses_everything(self, api_client, settings):
        settings.GOOGLE_OAUTH_CLIENT_ID = ""
        assert api_client.post(GOOGLE, {"id_token": id_token()}).status_code == 401

    def test_unreachable_key_set_is_401_not_500(self, api_client, settings, tmp_path):
        settings.GOOGLE_OAUTH_CERTS_URL = (tmp_path / "missing.json").as_uri()
        assert api_client.post(GOOGLE, {"id_token": id_token()}).status_code == 401

    def test_rotated_key_is_picked_up(self, api_client, google_keys):
        assert api_client.post(GOOGLE, {"id_token": id_token()}).status_code == 200
        google_keys.write_text(json.dumps(jwks((SIGNING_KEY, "k1"), (STRANGER_KEY, "k2"))))
        response = api_client.post(GOOGLE, {"id_token": id_token(key=STRANGER_KEY, kid="k2")})
        assert response.status_code == 200

    def test_key_set_over_http(self, api_client, settings):
        body = json.dumps(jwks((SIGNING_KEY, "k1"))).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            settings.GOOGLE_OAUTH_CERTS_URL = f"http://127.0.0.1:{server.server_port}/oauth2/v3/certs"
            assert api_client.post(GOOGLE, {"id_token": id_token()}).status_code == 200
        finally:
            server.shutdown()

    def test_deactivated_linked_user_is_refused(self, api_client):
        api_client.post(GOOGLE, {"id_token": id_token()})
        User.objects.update(is_active=False)
        assert api_client.post(GOOGLE, {"id_token": id_token()}).status_code == 401
