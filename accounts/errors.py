"""Machine-readable error codes raised by the accounts app."""

from rest_framework import exceptions, status

INVALID_CREDENTIALS = "invalid_credentials"
EMAIL_NOT_VERIFIED = "email_not_verified"
EMAIL_TAKEN = "email_taken"
INVALID_CODE = "invalid_code"
INVALID_TOKEN = "authentication_failed"
WRONG_PASSWORD = "wrong_password"


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_detail = "Incorrect email or password."
    default_code = INVALID_CREDENTIALS


class InvalidToken(exceptions.AuthenticationFailed):
    default_detail = "The token is invalid, expired or revoked."
    default_code = INVALID_TOKEN


class EmailNotVerified(exceptions.PermissionDenied):
    default_detail = "Verify your email address first; a new code has been sent."
    default_code = EMAIL_NOT_VERIFIED


class InvalidCode(exceptions.ValidationError):
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self):
        super().__init__({"code": ["The code is wrong, expired or already used."]}, code=INVALID_CODE)


class TooManyCodeFailures(exceptions.Throttled):
    default_detail = "Too many wrong codes for this email address."
    default_code = "too_many_code_failures"
