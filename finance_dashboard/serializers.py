"""Serializer building blocks shared by every app.

DRF's string fields quietly turn numbers into strings; here a string field
accepts only a JSON string, so `{"name": 5}` is a 400 like any other wrong type.
"""

from django.db import models
from rest_framework import serializers


class _StrictString:
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
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
