"""Fuzzing data for `.ci/fuzz`: a tenant worth fuzzing, built through the services.

Run with the project's settings (DATABASE_URL naming the throwaway database);
prints one JSON object: the fuzzing user's credentials and the ids the fuzzer
should aim at (see fuzz_config.py). The fuzzing user, verified, owns "Fuzz
Organization" with a USD project holding categories, tags and records (one in
EUR at a stored rate, one deleted), a second project in EUR, members in
several roles, a pending invitation; and receives invitations from
organizations of someone else.

Objects that a delete or a transfer would take from the rest of the run are
kept apart from the "doomed" and "handover" ones those operations aim at.
"""

import datetime
import json
import os
import re
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finance_dashboard.settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.models import SignInMethod, User  # noqa: E402
from accounts.services import ClientInfo, session_create  # noqa: E402
from records import services as records  # noqa: E402
from records.models import ExchangeRate  # noqa: E402
from tenancy import selectors  # noqa: E402
from tenancy import services as tenancy  # noqa: E402
from tenancy.models import OrganizationMember, ProjectMember  # noqa: E402

EMAIL = os.environ.get("FUZZ_EMAIL", "fuzz@example.com")
PASSWORD = os.environ.get("FUZZ_PASSWORD", "fuzz-password-not-secret")
TODAY = datetime.date(2025, 6, 30)
ACCEPT_URL = "http://127.0.0.1/invitations/accept"


def verified_user(email: str, name: str) -> User:
    # As if they had entered the emailed code (what tests/accounts/factories.py does too).
    user = User.objects.create_user(email=email, password=PASSWORD, name=name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def access(organization, user):
    return selectors.organization_with_access(organization_id=organization.pk, user=user)[1]


def invitation_token(invitation) -> str:
    """The token from the invitation email (the locmem backend keeps it)."""
    body = next(m.body for m in reversed(mail.outbox) if invitation.email in m.to)
    return re.search(r"[?&]token=([^\s&]+)", body).group(1)


def invite_and_accept(*, organization, owner, user, org_role, projects):
    invitation = tenancy.invitation_create(
        organization=organization,
        actor=owner,
        email=user.email,
        org_role=org_role,
        projects=[tenancy.InvitedProject(project=p, role=role, grants={}) for p, role in projects],
        accept_url=ACCEPT_URL,
    )
    tenancy.invitation_accept(invitation=invitation, user=user)
    return OrganizationMember.objects.get(organization=organization, user=user)


@transaction.atomic
def build() -> dict:
    owner = verified_user(EMAIL, "Fuzz Owner")
    colleague = verified_user("colleague@example.com", "Colleague")
    leaver = verified_user("leaver@example.com", "Leaver")
    stranger = verified_user("stranger@example.com", "Stranger")
    joiner = verified_user("joiner@example.com", "Joiner")

    organization = tenancy.organization_create(actor=owner, name="Fuzz Organization", description="Fuzzed in CI.")
    main = tenancy.project_create(
        organization=organization,
        actor=owner,
        actor_access=access(organization, owner),
        name="Household",
        description="USD ledger",
        base_currency="USD",
    )
    second = tenancy.project_create(
        organization=organization,
        actor=owner,
        actor_access=access(organization, owner),
        name="Travel",
        base_currency="EUR",
    )
    doomed_project = tenancy.project_create(
        organization=organization, actor=owner, actor_access=access(organization, owner), name="Scratch"
    )
    handover_project = tenancy.project_create(
        organization=organization, actor=owner, actor_access=access(organization, owner), name="Handover"
    )
    # A second organization of the fuzzing user, for transfer-ownership to succeed
    # without costing the run its owner of "Fuzz Organization".
    handover_org = tenancy.organization_create(actor=owner, name="Handover Organization")

    colleague_org = invite_and_accept(
        organization=organization,
        owner=owner,
        user=colleague,
        org_role="member",
        projects=[(main, "analyst"), (second, "viewer")],
    )
    leaver_org = invite_and_accept(
        organization=organization, owner=owner, user=leaver, org_role="member", projects=[(main, "viewer")]
    )
    # In the organization but in no project: POST /projects/{id}/members/ can add them.
    invite_and_accept(organization=organization, owner=owner, user=joiner, org_role="member", projects=[])
    handover_heir = tenancy.project_member_add(
        project=handover_project,
        actor=owner,
        actor_access=access(organization, owner),
        user_id=colleague.pk,
        role="admin",
        grants={},
    )
    heir = invite_and_accept(organization=handover_org, owner=owner, user=colleague, org_role="admin", projects=[])
    pending = tenancy.invitation_create(
        organization=organization,
        actor=owner,
        email="invitee@example.com",
        org_role="member",
        projects=[tenancy.InvitedProject(project=main, role="viewer", grants={"finance": "read"})],
        accept_url=ACCEPT_URL,
    )

    # Other organizations invite the fuzzing user: /invitations/{id}/accept and
    # /invitations/accept (by token) have targets.
    incoming, tokens = [], []
    for name in ("Elsewhere", "Faraway"):
        elsewhere = tenancy.organization_create(actor=stranger, name=name)
        invitation = tenancy.invitation_create(
            organization=elsewhere,
            actor=stranger,
            email=owner.email,
            org_role="member",
            projects=[],
            accept_url=ACCEPT_URL,
        )
        incoming.append(invitation)
        tokens.append(invitation_token(invitation))

    ExchangeRate.objects.create(base="EUR", quote="USD", date=TODAY - datetime.timedelta(days=400), rate="1.0834")
    salary = records.category_create(project=main, actor=owner, name="Salary", type="income")
    groceries = records.category_create(project=main, actor=owner, name="Groceries", type="expense")
    rent = records.category_create(project=main, actor=owner, name="Rent", type="expense")
    unused = records.category_create(project=main, actor=owner, name="Unused", type="expense")
    food = records.tag_create(project=main, actor=owner, name="food")
    home = records.tag_create(project=main, actor=owner, name="home")
    spare_tag = records.tag_create(project=main, actor=owner, name="spare")
    travel = records.category_create(project=second, actor=owner, name="Flights", type="expense")

    kept, doomed_records = [], []
    for day in range(30):
        date = TODAY - datetime.timedelta(days=day * 11)
        income = day % 5 == 0
        record = records.record_create(
            project=main,
            actor=owner,
            type="income" if income else "expense",
            amount=Decimal("2500.00") if income else Decimal(f"{12 + day * 3}.{day:02d}"),
            date=date,
            category=salary if income else (rent if day % 7 == 0 else groceries),
            tags=[] if income else [food] if day % 2 else [food, home],
            source=["bank", "card", "cash", "upi", "wallet", "other"][day % 6],
            description=f"Fuzz record {day}",
        )
        (doomed_records if day % 10 == 9 else kept).append(record)
    euro = records.record_create(
        project=main,
        actor=owner,
        type="expense",
        amount=Decimal("99.99"),
        currency="EUR",
        date=TODAY,
        category=groceries,
        tags=[food],
        description="Paid in euros, stored rate",
    )
    kept.append(euro)
    deleted = records.record_create(
        project=main, actor=owner, type="expense", amount=Decimal("5.00"), date=TODAY, category=groceries
    )
    records.record_delete(record=deleted, actor=owner)
    records.record_create(
        project=second, actor=owner, type="expense", amount=Decimal("420.00"), date=TODAY, category=travel
    )

    # Other sessions of the fuzzing user, for DELETE /auth/sessions/{id}.
    spare_sessions = [
        session_create(user=owner, method=SignInMethod.PASSWORD, client=ClientInfo(user_agent=f"spare {n}")).session
        for n in range(3)
    ]

    project_members = ProjectMember.objects.filter(project=main)
    return {
        "email": EMAIL,
        "password": PASSWORD,
        "organizations": [str(organization.pk)],
        "own_org_membership": str(OrganizationMember.objects.get(organization=organization, user=owner).pk),
        "projects": [str(main.pk), str(second.pk)],
        "doomed_projects": [str(doomed_project.pk)],
        "org_members": [str(colleague_org.pk), str(leaver_org.pk)],
        "doomed_org_members": [str(leaver_org.pk)],
        "project_members": [str(m.pk) for m in project_members],
        "doomed_project_members": [str(m.pk) for m in project_members.filter(member=leaver_org)],
        "org_invitations": [str(pending.pk)],
        "my_invitations": [str(incoming[0].pk)],
        "invitation_tokens": tokens[1:],
        "records": [str(r.pk) for r in kept] + [str(deleted.pk)],
        "doomed_records": [str(r.pk) for r in doomed_records] + [str(deleted.pk)],
        "categories": [str(c.pk) for c in (salary, groceries, rent, unused)],
        "doomed_categories": [str(unused.pk), str(rent.pk)],
        "tags": [str(t.pk) for t in (food, home, spare_tag)],
        "doomed_tags": [str(spare_tag.pk)],
        "sessions": [str(s.pk) for s in spare_sessions],
        "handover_organizations": [str(handover_org.pk)],
        "handover_org_members": [str(heir.pk)],
        "handover_projects": [str(handover_project.pk)],
        "handover_project_members": [str(handover_heir.pk)],
        "users_to_add": [str(joiner.pk), str(leaver.pk)],
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(build()) + "\n")
