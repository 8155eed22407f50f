"""OpenAPI generation: drf-spectacular plus the error envelope on every operation.

drf-standardized-errors adds the documented error responses. Error codes are
documented as free strings: the services raise precise, machine-readable codes
(`exchange_rate_missing`, `email_not_verified`, ...) that a closed enum per
field would misdescribe.
"""

from drf_spectacular.plumbing import force_instance
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
    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        # Errors are JSON whatever the client asked for (CSVExportMixin answers
        # them in the envelope even to `Accept: text/csv`).
        if media_types is None and str(status_code).isdigit() and int(status_code) >= 400:
            media_types = ["application/json"]
        return super()._get_response_for_code(serializer, status_code, media_types, direction)

    def _get_request_body(self, direction="request"):
        # drf-spectacular documents bodies of PUT, PATCH and POST only; a DELETE
        # that declares its own (`extend_schema(request=...)`, e.g. the emailed
        # code that confirms deleting an organization) gets it documented too.
        if self.method == "DELETE":
            declared = self.get_request_serializer()
            if declared is None or type(force_instance(declared)) is type(force_instance(self._get_serializer())):
                return None
            self.method = "POST"
            try:
                return super()._get_request_body(direction)
            finally:
                self.method = "DELETE"
        return super()._get_request_body(direction)

    def _get_filter_parameters(self):
        # drf-spectacular drops a CharFilter's max_length; the form behind it
        # answers a longer value with 400, so the schema says so.
        parameters = super()._get_filter_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = filterset_class.base_filters if filterset_class is not None else {}
        for parameter in parameters:
            max_length = getattr(filters.get(parameter["name"]), "extra", {}).get("max_length")
            if max_length is not None and parameter.get("schema", {}).get("type") == "string":
                parameter["schema"]["maxLength"] = max_length
        return parameters


def allow_empty_query_values(result, generator, request, public):
    """Postprocessing hook: document that an empty optional query value is no value.

    `?type=&date_to=` means "not given" for every single-valued query
    parameter, as HTML forms send it (django-filter's filters, DRF's
    serializer fields, pagination and ordering all read it that way);
    `allowEmptyValue` is how OpenAPI 3.0 says so. Repeatable (array)
    parameters take ids, and an empty one stays a 400.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", ()) if isinstance(operation, dict) else ():
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and not parameter.get("required") and schema.get("type") != "array":
                    parameter["allowEmptyValue"] = True
    return result
