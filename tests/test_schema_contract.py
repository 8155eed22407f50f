"""The OpenAPI schema tells the truth about what the service answers.

Each test pins a place where fuzzing the served app (.ci/fuzz) caught the
schema describing something other than what the service does.
"""

import pytest


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operation(schema, method: str, path: str) -> dict:
    return schema["paths"][f"/api/v1/{path}"][method]


def parameter(op: dict, name: str) -> dict:
    return next(p for p in op["parameters"] if p["name"] == name)


@pytest.mark.parametrize(
    ("path", "statuses"),
    [
        ("auth/login", {"401", "403"}),
        ("auth/google", {"401"}),
        ("auth/token/refresh", {"401"}),
        ("auth/otp/verify", {"401"}),
    ],
)
def test_sign_in_endpoints_document_their_401_and_403(schema, path, statuses):
    assert statuses <= set(operation(schema, "post", path)["responses"])


def test_organization_delete_documents_its_code_body_and_429(schema):
    op = operation(schema, "delete", "organizations/{id}/")
    assert op["requestBody"]["required"] is True
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DeletionCodeRequest"
    }
    assert "429" in op["responses"]


def test_other_deletes_take_no_body(schema):
    assert "requestBody" not in operation(schema, "delete", "projects/{project_pk}/records/{id}/")


def test_errors_are_documented_as_json_only(schema):
    for path in schema["paths"].values():
        for op in path.values():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert set(response.get("content", {})) <= {"application/json"}, (op["operationId"], status)


def test_csv_is_documented_for_the_record_list_only(schema):
    listing = operation(schema, "get", "projects/{project_pk}/records/")["responses"]["200"]["content"]
    assert listing["text/csv"]["schema"] == {"type": "string"}
    detail = operation(schema, "get", "projects/{project_pk}/records/{id}/")["responses"]["200"]["content"]
    assert set(detail) == {"application/json"}


def test_optional_scalar_query_parameters_allow_empty_values(schema):
    op = operation(schema, "get", "projects/{project_pk}/records/")
    assert parameter(op, "type")["allowEmptyValue"] is True
    assert parameter(op, "page_size")["allowEmptyValue"] is True
    # Repeatable id parameters: an empty id is a 400.
    assert "allowEmptyValue" not in parameter(op, "category")


def test_filter_lengths_and_amount_bounds_are_documented(schema):
    op = operation(schema, "get", "projects/{project_pk}/records/")
    assert parameter(op, "search")["schema"]["maxLength"] == 200
    assert parameter(op, "amount_min")["schema"] == {
        "type": "string",
        "pattern": r"^[0-9]{1,12}(\.[0-9]{1,3})?$",
        "example": "12.50",
    }
    assert parameter(op, "amount_max")["description"].startswith("A bound on `amount`")
    categories = operation(schema, "get", "projects/{project_pk}/categories/")
    assert parameter(categories, "name")["schema"]["maxLength"] == 100


def test_currency_codes_are_patterned(schema):
    body = schema["components"]["schemas"]["ProjectRequest"]["properties"]["base_currency"]
    assert body["pattern"] == "^[A-Z]{3}$"


def test_member_role_change_requires_the_role(schema):
    op = operation(schema, "patch", "organizations/{organization_pk}/members/{id}/")
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["required"] == ["role"]
