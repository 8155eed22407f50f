"""Sign in as the fuzzing user and write the schemathesis config for `.ci/fuzz`.

Usage: fuzz_config.py BASE_URL WORK_DIR  (WORK_DIR holds ids.json from fuzz_data.py)

Writes WORK_DIR/token (the access token every request carries),
WORK_DIR/protected.json (the targets fuzz_hooks.py keeps out of reach) and
WORK_DIR/schemathesis.toml, which aims the fuzzer at the tenant's real
objects:

- `organization_pk` and `project_pk` are always the fuzzing user's
  organization and USD project, so every phase (the coverage phase too, which
  ignores dictionaries) gets past the tenant lookup to the validation and
  permission logic behind it;
- each operation's `id` and the ids in request bodies are real half of the
  time in the fuzzing phase, generated otherwise (unknown or malformed ids:
  the 400/404 paths).
"""

import json
import sys
import urllib.request
from pathlib import Path

# Real ids this often; generated values otherwise.
PROBABILITY = 0.5

# Path parameters with one meaning everywhere: always the tenant's own.
FIXED = {"path.organization_pk": "organizations", "path.project_pk": "projects"}

# `id` (and the ids in bodies) name a different kind of object in each
# operation. Deletes aim at "doomed" objects and transfers at "handover"
# ones, so the rest of the run keeps its organization, project, members and
# records (and the fuzzing user stays their owner).
PER_OPERATION = [
    (["auth_sessions_destroy"], {"path.id": "sessions"}),
    (["invitations_accept_create", "invitations_decline_create"], {"path.id": "my_invitations"}),
    (["invitations_accept_by_token", "invitations_decline_by_token"], {"body.token": "invitation_tokens"}),
    (
        [
            "organizations_retrieve",
            "organizations_partial_update",
            "organizations_destroy",
            "organizations_deletion_code_create",
        ],
        {"path.id": "organizations"},
    ),
    (
        ["organizations_transfer_ownership_create"],
        {"path.id": "handover_organizations", "body.member": "handover_org_members"},
    ),
    (
        [
            "organizations_invitations_retrieve",
            "organizations_invitations_resend_create",
            "organizations_invitations_revoke_create",
        ],
        {"path.id": "org_invitations"},
    ),
    (["organizations_invitations_create"], {"body.projects[*].project": "projects"}),
    (["organizations_members_partial_update"], {"path.id": "org_members"}),
    (["organizations_members_destroy"], {"path.id": "doomed_org_members"}),
    (["projects_retrieve", "projects_partial_update"], {"path.id": "projects"}),
    (["projects_destroy"], {"path.id": "doomed_projects"}),
    (
        ["projects_transfer_ownership_create"],
        {"path.id": "handover_projects", "body.member": "handover_project_members"},
    ),
    (["projects_members_create"], {"body.user": "users_to_add"}),
    (["projects_members_partial_update"], {"path.id": "project_members"}),
    (["projects_members_destroy"], {"path.id": "doomed_project_members"}),
    (
        ["projects_records_create"],
        {"body.category": "categories", "body.tags[*]": "tags", "body.currency": "currencies"},
    ),
    (
        ["projects_records_retrieve", "projects_records_restore_create"],
        {"path.id": "records"},
    ),
    (
        ["projects_records_update", "projects_records_partial_update"],
        {"path.id": "records", "body.category": "categories", "body.tags[*]": "tags", "body.currency": "currencies"},
    ),
    (["projects_records_destroy"], {"path.id": "doomed_records"}),
    (["projects_categories_retrieve", "projects_categories_partial_update"], {"path.id": "categories"}),
    (["projects_categories_destroy"], {"path.id": "doomed_categories"}),
    (["projects_tags_retrieve", "projects_tags_partial_update"], {"path.id": "tags"}),
    (["projects_tags_destroy"], {"path.id": "doomed_tags"}),
]


def protected(ids: dict, *, current_session: str) -> dict[str, list[str]]:
    """Operation -> the `id`s it must not reach, because the rest of the run
    stands on them. The fuzzer also learns ids from responses, so aiming the
    dictionaries elsewhere is not enough; fuzz_hooks.py re-aims such requests."""
    return {
        # The session behind the run's token.
        "DELETE /api/v1/auth/sessions/{id}": [current_session],
        # The organization and projects every project-scoped operation works in.
        "DELETE /api/v1/projects/{id}/": ids["projects"],
        "POST /api/v1/organizations/{id}/transfer-ownership": ids["organizations"],
        # Leaving, which becomes possible once ownership has moved.
        "DELETE /api/v1/organizations/{organization_pk}/members/{id}/": [ids["own_org_membership"]],
    }


def call(base: str, method: str, path: str, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", method=method, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def toml_list(values) -> str:
    return "[" + ", ".join(json.dumps(value) for value in values) + "]"


def binding(dictionary: str) -> str:
    return f'{{ dictionary = "{dictionary}", probability = {PROBABILITY} }}'


def config(ids: dict) -> str:
    ids = {**ids, "currencies": ["USD", "EUR", "JPY"]}
    lines = []
    for name in sorted(key for key, value in ids.items() if isinstance(value, list)):
        lines += [f"[dictionaries.{name}]", f"values = {toml_list(ids[name])}", ""]
    lines.append("[parameters]")
    lines += [f'"{key}" = {json.dumps(ids[dictionary][0])}' for key, dictionary in FIXED.items()]
    lines.append("")
    for operation_ids, bindings in PER_OPERATION:
        entries = ", ".join(f'"{key}" = {binding(dictionary)}' for key, dictionary in bindings.items())
        lines += [
            "[[operations]]",
            f"include-operation-id = {toml_list(operation_ids)}",
            f"parameters = {{ {entries} }}",
            "",
        ]
    return "\n".join(lines)


def main(base: str, work: Path) -> None:
    ids = json.loads((work / "ids.json").read_text())
    token = call(base, "POST", "/api/v1/auth/login", {"email": ids["email"], "password": ids["password"]})["access"]
    sessions = call(base, "GET", "/api/v1/auth/sessions", token=token)["results"]
    current = next(session["id"] for session in sessions if session["current"])
    (work / "token").write_text(token)
    (work / "protected.json").write_text(json.dumps(protected(ids, current_session=current)))
    (work / "schemathesis.toml").write_text(config(ids))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
