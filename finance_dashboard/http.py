"""Facts about the HTTP request that several apps need."""

from ipaddress import ip_address

from rest_framework.throttling import BaseThrottle


def client_ip(request) -> str | None:
    """The client's address, honouring `NUM_PROXIES` exactly as DRF's throttles
    do (with 1 proxy, the last `X-Forwarded-For` hop). None when what the proxy
    chain reports is not an IP address."""
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ip_address((ident or "").strip()))
    except ValueError:
        return None


def user_agent(request) -> str:
    return (request.META.get("HTTP_USER_AGENT") or "")[:512]
