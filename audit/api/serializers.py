from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEvent
from finance_dashboard.serializers import StrictModelSerializer


class AuditActorSerializer(serializers.Serializer):
    """Who made the change, from the event's own columns: the email is the one
    the user had at the time, and the user need not exist any more."""

    id = serializers.UUIDField(source="actor_id")
    email = serializers.EmailField(source="actor_email")

    def to_representation(self, instance):
        if instance.actor_id is None:
            return None
        return super().to_representation(instance)


@extend_schema_field(
    {
        "type": "object",
        "description": "`{field: [old, new]}` for every field the change touched.",
        "additionalProperties": {"type": "array", "items": {}, "minItems": 2, "maxItems": 2},
    }
)
class ChangesField(serializers.JSONField):
    pass


class AuditEventSerializer(StrictModelSerializer):
    actor = AuditActorSerializer(
        source="*", read_only=True, allow_null=True, help_text="Null for changes made by the system."
    )
    changes = ChangesField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "organization",
            "project",
            "actor",
            "action",
            "target_type",
            "target_id",
            "changes",
            "ip_address",
            "created_at",
        ]
        read_only_fields = fields
