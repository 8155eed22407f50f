"""Throttle base shared by the apps."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateThrottle(SimpleRateThrottle):
    """DRF's throttle with rates like `5/10m` (five per ten minutes) as well as
    `5/m`, read from the current settings on each request. Counters live in the
    default cache: Redis when `REDIS_URL` is set, shared by every instance."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def parse_rate(self, rate):
        if rate is None:
            return None, None
        count, period = rate.split("/")
        digits = "".join(ch for ch in period if ch.isdigit()) or "1"
        unit = period[len(digits) if period[0].isdigit() else 0]
        return int(count), int(digits) * _PERIODS[unit]

    def key(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}
