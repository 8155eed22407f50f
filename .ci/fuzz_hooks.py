"""schemathesis hooks for `.ci/fuzz` (loaded through SCHEMATHESIS_HOOKS).

Every request carries the fuzzing user's one access token, and every
project-scoped operation works in one organization and project. A few
requests would take those away for the rest of the run: deleting the
token's own session, deleting that project, handing that organization to
someone else, leaving it. The fuzzer learns ids from responses, so it can
build them; here such a request is re-aimed at an id that names nothing
(FUZZ_PROTECTED, written by fuzz_config.py, lists them per operation). The
operations stay fuzzed, with real targets set aside for them.

CSV exports are parsed (a malformed one fails the run) and handed to the
response schema check as the string the schema documents.
"""

import csv
import io
import json
import os
import uuid

import schemathesis

with open(os.environ["FUZZ_PROTECTED"]) as protected_file:
    PROTECTED = {key: {value.lower() for value in ids} for key, ids in json.load(protected_file).items()}


@schemathesis.hook
def before_call(context, case, kwargs):
    protected = PROTECTED.get(f"{case.method.upper()} {case.operation.path}")
    if protected and str((case.path_parameters or {}).get("id", "")).lower() in protected:
        case.path_parameters["id"] = str(uuid.uuid4())


@schemathesis.deserializer("text/csv")
def deserialize_csv(ctx, response):
    text = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or len({len(row) for row in rows}) != 1:
        raise ValueError("CSV export without a header or with ragged rows")
    return text
