"""The search index tables, with the per-database columns and indexes the model does not declare
(see portal/search/models.py)."""

from django.db import migrations, models

POSTGRES_FORWARD = [
    "ALTER TABLE search_entry ADD COLUMN countries integer[], "
    "ADD COLUMN title_vector tsvector, ADD COLUMN vector tsvector",
    # fastupdate off: no pending list for searches to scan after writes; bulk rebuilds drop and
    # recreate the index instead.
    "CREATE INDEX search_entry_vector_gin ON search_entry USING gin (vector) "
    "WITH (fastupdate = off)",
    "CREATE INDEX search_entry_title_vector_gin ON search_entry USING gin (title_vector) "
    "WITH (fastupdate = off)",
    "CREATE INDEX search_entry_countries_gin ON search_entry USING gin (countries)",
    "CREATE INDEX search_word_folded_trgm ON search_word USING gin (folded gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_word_folded_trgm",
    "DROP INDEX IF EXISTS search_entry_countries_gin",
    "DROP INDEX IF EXISTS search_entry_title_vector_gin",
    "DROP INDEX IF EXISTS search_entry_vector_gin",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS vector, "
    "DROP COLUMN IF EXISTS title_vector, DROP COLUMN IF EXISTS countries",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5("
    "title, body, tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry "
    "BEGIN DELETE FROM search_entry_fts WHERE rowid = old.id; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_entry_fts_delete",
    "DROP TABLE IF EXISTS search_entry_fts",
]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_FORWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # unaccent, pg_trgm, f_unaccent() and the portal_english configuration
        ("portal", "0002_search_configuration"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=16)),
                ("object_id", models.BigIntegerField()),
                ("title", models.CharField(max_length=600)),
                ("year", models.SmallIntegerField(null=True)),
                ("country_ids", models.CharField(blank=True, max_length=2000)),
            ],
            options={
                "db_table": "search_entry",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "object_id"), name="search_entry_kind_object"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("folded", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("word", models.CharField(max_length=64)),
            ],
            options={"db_table": "search_word"},
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
