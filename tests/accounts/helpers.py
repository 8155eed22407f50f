import re

from django.core import mail

CODE_RE = re.compile(r"\b\d{6}\b")


def last_code(email: str) -> str:
    """The code in the newest message sent to `email`; it must be the only
    six-digit number in the text."""
    messages = [message for message in mail.outbox if email in message.to]
    assert messages, f"no email sent to {email}"
    codes = CODE_RE.findall(messages[-1].body + messages[-1].subject)
    assert len(codes) == 1, codes
    return codes[0]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def error_codes(response) -> list[str]:
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    return [error["code"] for error in body["errors"]]


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
