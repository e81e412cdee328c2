"""Drop what modelsearch left in databases created while the portal used it.

Global search moved to portal.search's own index (docs/search.md); modelsearch is no longer
installed. On databases created since, none of these exist and nothing happens.
"""

from django.db import migrations

POSTGRES = [
    "DROP TABLE IF EXISTS modelsearch_indexentry CASCADE",
    """
    DO $$ BEGIN
        EXECUTE format('ALTER DATABASE %I RESET default_text_search_config', current_database());
    END $$
    """,
    "DELETE FROM django_migrations WHERE app = 'modelsearch'",
]
SQLITE = [
    "DROP TABLE IF EXISTS modelsearch_indexentry_fts",
    "DROP TABLE IF EXISTS modelsearch_indexentry",
    "DELETE FROM django_migrations WHERE app = 'modelsearch'",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = POSTGRES if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_import_log")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
