"""Carries the request's client address to the audit log.

Services receive the actor explicitly; the address is request context that
every write would otherwise have to thread through, so it travels in a
context variable for the duration of the request.
"""

from audit.context import request_ip
from finance_dashboard.http import client_ip


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            request_ip.reset(token)
