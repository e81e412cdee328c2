"""PostgreSQL text search the portal's search index (portal.search) needs.

The unaccent and pg_trgm extensions, an immutable f_unaccent() wrapper (usable in indexes), and a
text-search configuration `portal_english`: English stemming after removing accents, so "Vaiku"
matches "Vaikų" and "policies" matches "policy". The search code names the configuration
explicitly. SQLite needs nothing here: portal.search creates its FTS5 table with the Porter
stemmer and diacritics removal.

(This migration first also prepared modelsearch's index table; modelsearch was replaced by
portal.search, and portal migration 0004 drops its tables where they exist.)
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $func$ SELECT public.unaccent('public.unaccent', $1) $func$
    """,
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'portal_english') THEN
            CREATE TEXT SEARCH CONFIGURATION public.portal_english (COPY = pg_catalog.english);
            ALTER TEXT SEARCH CONFIGURATION public.portal_english
                ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, english_stem;
        END IF;
    END $$
    """,
]

POSTGRES_BACKWARD = ["DROP TEXT SEARCH CONFIGURATION IF EXISTS public.portal_english"]


def _run(schema_editor, statements):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def forward(apps, schema_editor):
    _run(schema_editor, POSTGRES_FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
