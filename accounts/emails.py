"""The emails the accounts app sends. A code is the only six-digit number in
its message."""

from django.conf import settings

from accounts.models import CodePurpose
from finance_dashboard.mail import send_email

_MINUTES = int(settings.AUTH_CODE_TTL.total_seconds() // 60)

_CODE_MESSAGES = {
    CodePurpose.VERIFY_EMAIL: (
        "Verify your email address",
        "Welcome to Finance Dashboard.\n\nYour verification code is {code}.",
    ),
    CodePurpose.LOGIN: (
        "Your sign-in code",
        "Your Finance Dashboard sign-in code is {code}.",
    ),
    CodePurpose.PASSWORD_RESET: (
        "Reset your password",
        "Your Finance Dashboard password reset code is {code}.",
    ),
    CodePurpose.ORGANIZATION_DELETION: (
        "Confirm deleting your organization",
        "Someone (hopefully you) asked to delete an organization you own on Finance Dashboard.\n\n"
        "The confirmation code is {code}.",
    ),
}


def send_code_email(*, email: str, purpose: str, code: str) -> None:
    subject, text = _CODE_MESSAGES[CodePurpose(purpose)]
    body = (
        f"{text.format(code=code)}\n\n"
        f"It expires in {_MINUTES} minutes and works once. "
        "If you did not ask for it, you can ignore this message.\n"
    )
    send_email(to=email, subject=f"Finance Dashboard: {subject}", body=body)
