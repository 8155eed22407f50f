"""Raw SQL in migrations, per database vendor (triggers and the like that the
ORM cannot express)."""

from collections.abc import Mapping, Sequence

from django.db import migrations


def vendor_sql(forward: Mapping[str, Sequence[str]], backward: Mapping[str, Sequence[str]]) -> migrations.RunPython:
    """A reversible operation running `forward[vendor]` (statements) on the
    current database's vendor ("postgresql", "sqlite"); other vendors skip it."""

    def run(statements_by_vendor):
        def apply(apps, schema_editor):
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, ()):
                schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(forward), run(backward))
