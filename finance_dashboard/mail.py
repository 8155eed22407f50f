"""Outgoing email.

Messages are plain text. The Message-ID is built from hex so that the only
six-digit number a code email ever contains is the code itself.
"""

import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMessage

logger = logging.getLogger(__name__)


def send_email(*, to: str, subject: str, body: str) -> bool:
    """Send one message; a failing mail server is logged, not raised, so the
    request that triggered it still gets its answer."""
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": f"<{uuid.uuid4().hex}@finance-dashboard>"},
    )
    try:
        message.send()
    except Exception:
        logger.exception("could not send %r to %s", subject, to)
        return False
    return True
