"""The invitation email."""

from urllib.parse import urlencode

from django.conf import settings

from finance_dashboard.mail import send_email


def invitation_link(*, accept_url: str, token: str) -> str:
    base = settings.INVITATION_ACCEPT_URL or accept_url
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{urlencode({'token': token})}"


def send_invitation_email(*, invitation, token: str, accept_url: str) -> None:
    inviter = invitation.invited_by
    who = f"{inviter.name or inviter.email}" if inviter else "Someone"
    days = settings.INVITATION_TTL.days
    body = (
        f"{who} invited you to join {invitation.organization.name} on Finance Dashboard "
        f"as {invitation.get_org_role_display().lower()}.\n\n"
        f"Accept the invitation here:\n{invitation_link(accept_url=accept_url, token=token)}\n\n"
        f"The link works once and expires in {days} days. Sign in with this email address "
        f"({invitation.email}) to accept or decline.\n"
    )
    send_email(to=invitation.email, subject=f"You're invited to {invitation.organization.name}", body=body)
