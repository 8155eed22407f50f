import pytest

from records.models import Category, Record, Tag
from tests.accounts.helpers import error_codes
from tests.records.factories import CategoryFactory, TagFactory, make_record

pytestmark = pytest.mark.django_db


def path(project, kind, suffix=""):
    return f"/api/v1/projects/{project.pk}/{kind}/{suffix}"


class TestCategories:
    def test_create_and_list(self, tenant, as_persona, django_assert_max_num_queries):
        owner = as_persona("project_owner")
        response = owner.post(path(tenant.project, "categories"), {"name": "Travel", "type": "expense"})
        assert response.status_code == 201
        assert set(response.json()) == {"id", "name", "type", "created_at"}
        CategoryFactory.create_batch(5, project=tenant.project)
        analyst = as_persona("analyst")
        with django_assert_max_num_queries(4):
            listed = analyst.get(path(tenant.project, "categories"), {"type": "expense"})
        assert listed.json()["count"] == 6

    def test_names_are_unique_per_type_case_insensitively(self, tenant, as_persona):
        owner = as_persona("project_owner")
        owner.post(path(tenant.project, "categories"), {"name": "Travel", "type": "expense"})
        duplicate = owner.post(path(tenant.project, "categories"), {"name": "TRAVEL", "type": "expense"})
        assert duplicate.status_code == 400
        assert error_codes(duplicate) == ["duplicate_name"]
        assert owner.post(path(tenant.project, "categories"), {"name": "travel", "type": "income"}).status_code == 201

    def test_same_name_in_another_project_is_fine(self, tenant, other_tenant, as_persona):
        CategoryFactory(project=other_tenant.project, name="Travel", type="expense")
        response = as_persona("project_owner").post(
            path(tenant.project, "categories"), {"name": "Travel", "type": "expense"}
        )
        assert response.status_code == 201

    def test_rename_to_a_taken_name_is_400(self, tenant, as_persona):
        CategoryFactory(project=tenant.project, name="Food", type="expense")
        other = CategoryFactory(project=tenant.project, name="Rent", type="expense")
        response = as_persona("project_owner").patch(
            path(tenant.project, "categories", f"{other.pk}/"), {"name": "food"}
        )
        assert response.status_code == 400

    def test_category_in_use_cannot_be_deleted(self, tenant, as_persona):
        category = CategoryFactory(project=tenant.project)
        record = make_record(tenant.project, category=category)
        owner = as_persona("project_owner")
        response = owner.delete(path(tenant.project, "categories", f"{category.pk}/"))
        assert response.status_code == 409
        assert error_codes(response) == ["category_in_use"]
        # A deleted record may come back, so it still counts as a use.
        owner.delete(f"/api/v1/projects/{tenant.project.pk}/records/{record.pk}/")
        assert owner.delete(path(tenant.project, "categories", f"{category.pk}/")).status_code == 409

    def test_unused_category_is_deleted(self, tenant, as_persona):
        category = CategoryFactory(project=tenant.project)
        assert (
            as_persona("project_admin").delete(path(tenant.project, "categories", f"{category.pk}/")).status_code == 204
        )
        assert not Category.objects.filter(pk=category.pk).exists()

    def test_type_of_a_category_in_use_cannot_change(self, tenant, as_persona):
        category = CategoryFactory(project=tenant.project, type="expense")
        make_record(tenant.project, category=category)
        response = as_persona("project_owner").patch(
            path(tenant.project, "categories", f"{category.pk}/"), {"type": "income"}
        )
        assert response.status_code == 409

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "", "type": "expense"},
            {"name": "x" * 101, "type": "expense"},
            {"name": "A", "type": "gift"},
            {"name": 5, "type": "expense"},
            {},
        ],
    )
    def test_bad_bodies_are_400(self, tenant, as_persona, body):
        assert as_persona("project_owner").post(path(tenant.project, "categories"), body).status_code == 400

    def test_category_of_another_project_is_404(self, tenant, other_tenant, as_persona):
        foreign = CategoryFactory(project=other_tenant.project)
        owner = as_persona("project_owner")
        assert owner.patch(path(tenant.project, "categories", f"{foreign.pk}/"), {"name": "x"}).status_code == 404
        assert owner.delete(path(tenant.project, "categories", f"{foreign.pk}/")).status_code == 404


class TestTags:
    def test_create_list_and_uniqueness(self, tenant, as_persona):
        owner = as_persona("project_owner")
        response = owner.post(path(tenant.project, "tags"), {"name": "Urgent"})
        assert response.status_code == 201
        assert set(response.json()) == {"id", "name"}
        assert owner.post(path(tenant.project, "tags"), {"name": "urgent"}).status_code == 400
        assert as_persona("analyst").get(path(tenant.project, "tags")).json()["count"] == 1

    def test_deleting_a_tag_removes_it_from_records(self, tenant, as_persona):
        tag = TagFactory(project=tenant.project)
        record = make_record(tenant.project, tags=[tag])
        assert as_persona("project_owner").delete(path(tenant.project, "tags", f"{tag.pk}/")).status_code == 204
        assert not Tag.objects.exists()
        assert list(Record.objects.get(pk=record.pk).tags.all()) == []

    def test_rename(self, tenant, as_persona):
        tag = TagFactory(project=tenant.project, name="old")
        response = as_persona("project_owner").patch(path(tenant.project, "tags", f"{tag.pk}/"), {"name": "new"})
        assert response.json() == {"id": str(tag.pk), "name": "new"}


def test_tags_list_query_count_is_constant(tenant, as_persona, django_assert_max_num_queries):
    TagFactory.create_batch(12, project=tenant.project)
    client = as_persona("analyst")
    # auth + scope + count + page
    with django_assert_max_num_queries(4):
        assert client.get(path(tenant.project, "tags")).json()["count"] == 12
