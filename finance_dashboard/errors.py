"""The single error envelope, for DRF views and for Django's own error pages.

Every error leaves the service as
`{"type": ..., "errors": [{"code", "detail", "attr"}]}` (drf-standardized-errors),
including 404s for unknown URLs and 500s, so an API client never sees HTML.
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import JsonResponse
from drf_standardized_errors.handler import ExceptionHandler as BaseExceptionHandler
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "The resource is no longer available."
    default_code = "gone"


def invalid(field: str, detail: str, code: str) -> exceptions.ValidationError:
    """A 400 about one request field, with a machine-readable code."""
    return exceptions.ValidationError({field: [detail]}, code=code)


def conflict(detail: str, code: str) -> Conflict:
    """A 409: the request is fine but the current state forbids it."""
    return Conflict(detail=detail, code=code)


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is briefly unavailable; try again shortly."
    default_code = "service_unavailable"


class ExceptionHandler(BaseExceptionHandler):
    """drf-standardized-errors, plus the database as the last word.

    A unique or check constraint that fires because of a race (two requests
    creating the same membership, say) becomes a clean 409 instead of a 500;
    services translate the constraints they expect into precise errors first.
    A database that cannot be reached is a 503 with Retry-After.
    """

    def convert_known_exceptions(self, exc):
        if isinstance(exc, (OperationalError, InterfaceError)):
            # The database is unreachable (restarting, failing over): nothing
            # was written, and the client may retry. Health-checked persistent
            # connections reconnect by themselves once it is back.
            logger.warning("database unavailable: %s", exc)
            unavailable = ServiceUnavailable()
            unavailable.wait = 5
            return unavailable
        if isinstance(exc, IntegrityError):
            logger.info("integrity error turned into 409: %s", exc)
            return Conflict()
        if isinstance(exc, DjangoValidationError):
            return exceptions.ValidationError(detail=get_error_detail(exc))
        return super().convert_known_exceptions(exc)


def _envelope(status_code: int, code: str, detail: str) -> JsonResponse:
    error_type = "server_error" if status_code >= 500 else "client_error"
    return JsonResponse(
        {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": None}]},
        status=status_code,
    )


def bad_request(request, exception=None):
    return _envelope(400, "bad_request", "Bad request.")


def permission_denied(request, exception=None):
    return _envelope(403, "permission_denied", "You do not have permission to perform this action.")


def not_found(request, exception=None):
    return _envelope(404, "not_found", "Not found.")


def server_error(request):
    return _envelope(500, "error", "A server error occurred.")
