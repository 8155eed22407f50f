"""Verifying Google ID tokens against the key set at `GOOGLE_OAUTH_CERTS_URL`.

allauth's own verifier fetches Google's v1 certificate format over `requests`
on every call and trusts the token's `alg` header; here the key set (Google's
v3 JWKS format, from any http(s) or file URL so tests can serve a local one) is
cached, re-read once when an unknown key id shows up (Google rotates keys), and
only RS256 is accepted.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from pathlib import Path

import jwt
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

ISSUERS = ("https://accounts.google.com", "accounts.google.com")
_CACHE_KEY = "accounts:google:jwks"
_CACHE_SECONDS = 3600
_REFETCH_GUARD_KEY = "accounts:google:jwks:refetched"
_REFETCH_GUARD_SECONDS = 30


class GoogleTokenError(Exception):
    """The ID token cannot be trusted."""


def _fetch_key_set() -> dict:
    url = settings.GOOGLE_OAUTH_CERTS_URL
    if "://" not in url:
        data = Path(url).read_text()
    else:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - URL is operator configuration
            data = response.read().decode()
    key_set = json.loads(data)
    if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
        raise GoogleTokenError("the configured key set is not a JWKS document")
    return key_set


def _key_set(*, refresh: bool = False) -> dict:
    key_set = None if refresh else cache.get(_CACHE_KEY)
    if key_set is None:
        key_set = _fetch_key_set()
        cache.set(_CACHE_KEY, key_set, _CACHE_SECONDS)
    return key_set


def _find_key(key_set: dict, kid: str):
    for entry in key_set["keys"]:
        if isinstance(entry, dict) and entry.get("kid") == kid:
            try:
                return jwt.PyJWK(entry, algorithm="RS256").key
            except jwt.PyJWTError as exc:
                raise GoogleTokenError(f"unusable key {kid!r}") from exc
    return None


def _signing_key(kid: str):
    try:
        key = _find_key(_key_set(), kid)
        if key is None and cache.add(_REFETCH_GUARD_KEY, True, _REFETCH_GUARD_SECONDS):
            key = _find_key(_key_set(refresh=True), kid)
    except (OSError, ValueError) as exc:
        logger.warning("could not load Google's key set from %s: %s", settings.GOOGLE_OAUTH_CERTS_URL, exc)
        raise GoogleTokenError("key set unavailable") from exc
    if key is None:
        raise GoogleTokenError(f"unknown key id {kid!r}")
    return key


def verify_id_token(token: str) -> dict:
    """The verified claims of a Google ID token; raises GoogleTokenError.

    Checks the RS256 signature against the configured key set, the issuer, the
    audience (`GOOGLE_OAUTH_CLIENT_ID`), expiry, and that Google vouches for
    the email address.
    """
    client_id = settings.GOOGLE_OAUTH_CLIENT_ID
    if not client_id:
        raise GoogleTokenError("Google sign-in is not configured")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise GoogleTokenError("malformed token") from exc
    kid = header.get("kid")
    if header.get("alg") != "RS256" or not isinstance(kid, str):
        raise GoogleTokenError("unexpected token header")
    try:
        claims = jwt.decode(
            token,
            key=_signing_key(kid),
            algorithms=["RS256"],
            audience=client_id,
            issuer=ISSUERS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=30,
        )
    except jwt.PyJWTError as exc:
        raise GoogleTokenError(str(exc)) from exc
    if claims.get("email_verified") not in (True, "true") or not isinstance(claims.get("email"), str):
        raise GoogleTokenError("Google has not verified this email address")
    return claims
