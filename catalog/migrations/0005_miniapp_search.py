"""A GIN index for the Mini App's full-text product search (PostgreSQL only; SQLite searches by substring)."""

from django.db import migrations

INDEX = "product_search_idx"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalog_product USING gin "
    "(to_tsvector('simple'::regconfig, name || ' ' || description))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_fulfil_purchase_intent")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
