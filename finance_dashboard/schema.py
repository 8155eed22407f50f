"""OpenAPI generation: drf-spectacular plus the error envelope on every operation.

drf-standardized-errors adds the documented error responses. Error codes are
documented as free strings: the services raise precise, machine-readable codes
(`exchange_rate_missing`, `email_not_verified`, ...) that a closed enum per
field would misdescribe.
"""

from drf_spectacular.utils import OpenApiResponse
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code.")
    detail = serializers.CharField(help_text="Human-readable explanation.")
    attr = serializers.CharField(allow_null=True, help_text="The offending field (dotted path), or null.")


def _envelope(name: str, types: list[str]) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=types),
            "errors": ErrorSerializer(many=True),
            "__module__": __name__,
        },
    )


ValidationErrorResponse = _envelope("ValidationErrorResponse", ["validation_error", "client_error"])
ClientErrorResponse = _envelope("ClientErrorResponse", ["client_error"])
ServerErrorResponse = _envelope("ServerErrorResponse", ["server_error"])


def error_response(description: str) -> OpenApiResponse:
    """An extra documented error (409, 410, ...) for `@extend_schema(responses=...)`."""
    return OpenApiResponse(response=ClientErrorResponse, description=description)


class AutoSchema(StandardizedErrorsAutoSchema):
    pass
