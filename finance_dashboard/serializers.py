"""Serializer building blocks shared by every app.

DRF's string fields quietly turn numbers into strings; here a string field
accepts only a JSON string, so `{"name": 5}` is a 400 like any other wrong type.
Its length limit applies to the string as sent (DRF would measure it after
trimming whitespace), so `maxLength` in the schema is exactly the rule.
"""

from django.db import models
from rest_framework import serializers


class _StrictString:
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        max_length = getattr(self, "max_length", None)
        if max_length is not None and len(data) > max_length:
            self.fail("max_length", max_length=max_length)
        return super().to_internal_value(data)


class StrictCharField(_StrictString, serializers.CharField):
    default_error_messages = {"invalid": "Not a valid string."}


class StrictEmailField(_StrictString, serializers.EmailField):
    pass


class StrictModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
    }


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key accepted only from the request's tenant.

    The queryset is built at validation time from the view (which has already
    resolved the organization or project from the URL), so an id that belongs
    to another tenant is simply "does not exist" - a 400, never a cross-tenant
    write. `model` gives the schema its type when no view is around.
    """

    def __init__(self, *, scoped_queryset, model, **kwargs):
        self.scoped_queryset = scoped_queryset
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(queryset=model._default_manager.none(), **kwargs)

    def get_queryset(self):
        view = self.context.get("view")
        if view is None:
            return super().get_queryset()
        return self.scoped_queryset(view)
