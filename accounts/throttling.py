"""Throttles for the public auth endpoints: per client IP and per email.

They count in the default cache, which is Redis when `REDIS_URL` is set, so
every instance of the service shares the counters. A throttled request gets
429 with `Retry-After`.
"""

from __future__ import annotations

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import UserManager

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class _RateThrottle(SimpleRateThrottle):
    """DRF's throttle with rates like `5/10m` (five per ten minutes) as well as `5/m`,
    read from the current settings on each request."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def parse_rate(self, rate):
        if rate is None:
            return None, None
        count, period = rate.split("/")
        digits = "".join(ch for ch in period if ch.isdigit()) or "1"
        unit = period[len(digits) if period[0].isdigit() else 0]
        return int(count), int(digits) * _PERIODS[unit]

    def group(self, view) -> str:
        """Endpoints share counters per `throttle_group` (e.g. all code checks)."""
        return getattr(view, "throttle_group", view.__class__.__name__)


class AuthIPThrottle(_RateThrottle):
    scope = "auth_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": f"{self.scope}:{self.group(view)}", "ident": self.get_ident(request)}


class _EmailThrottle(_RateThrottle):
    def get_cache_key(self, request, view):
        data = request.data
        email = data.get("email") if isinstance(data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None  # the serializer will refuse the request
        ident = hashlib.sha256(UserManager.normalize_email(email).encode()).hexdigest()
        return self.cache_format % {"scope": f"{self.scope}:{self.group(view)}", "ident": ident}


class AuthEmailThrottle(_EmailThrottle):
    """Sign-in attempts and code checks for one email address."""

    scope = "auth_email"


class EmailSendThrottle(_EmailThrottle):
    """Requests that make us send an email to one address."""

    scope = "email_send"
