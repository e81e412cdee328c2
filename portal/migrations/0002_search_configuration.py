"""Search configuration the modelsearch index needs beyond its own migrations.

SQLite: modelsearch fills the FTS5 table `modelsearch_indexentry_fts` from triggers on
`modelsearch_indexentry`. Its default tokenizer removes diacritics but does not stem, so the table
is rebuilt with the Porter stemmer in front ("policies" matches "policy"); the triggers write to
the table by name and keep working.

PostgreSQL: the unaccent and pg_trgm extensions, the immutable f_unaccent() wrapper and trigram
indexes (what modelsearch's enable_unaccent / enable_trigram commands do), and a text-search
configuration `portal_english` (English stemming after removing accents) made the database's
default, which modelsearch uses when no SEARCH_CONFIG is set, and a GIN index on `title || body`,
the expression modelsearch matches.
"""

from django.db import migrations

FTS = "modelsearch_indexentry_fts"
COLUMNS = "autocomplete, body, title"


def _rebuild_fts(schema_editor, tokenize):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS])
        if cursor.fetchone() is None:  # SQLite built without FTS5: modelsearch falls back
            return
        cursor.execute(f"DROP TABLE {FTS}")
        options = f", tokenize='{tokenize}'" if tokenize else ""
        cursor.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS}{options})")
        cursor.execute(
            f"INSERT INTO {FTS} (rowid, {COLUMNS}) "  # noqa: S608
            f"SELECT id, {COLUMNS} FROM modelsearch_indexentry"
        )


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
    """
    DO $$ BEGIN
        EXECUTE format('ALTER DATABASE %I SET default_text_search_config = %L',
                       current_database(), 'public.portal_english');
    END $$
    """,
    "SET default_text_search_config = 'public.portal_english'",
    # modelsearch matches `title || body`; without this index every search reads every entry.
    "CREATE INDEX IF NOT EXISTS modelsearch_title_body_gin "
    "ON modelsearch_indexentry USING gin ((title || body))",
    "CREATE INDEX IF NOT EXISTS modelsearch_title_text_unaccent_trgm "
    "ON modelsearch_indexentry USING gin (f_unaccent(title_text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS modelsearch_body_text_unaccent_trgm "
    "ON modelsearch_indexentry USING gin (f_unaccent(body_text) gin_trgm_ops)",
]

POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS modelsearch_body_text_unaccent_trgm",
    "DROP INDEX IF EXISTS modelsearch_title_text_unaccent_trgm",
    "DROP INDEX IF EXISTS modelsearch_title_body_gin",
    """
    DO $$ BEGIN
        EXECUTE format('ALTER DATABASE %I RESET default_text_search_config', current_database());
    END $$
    """,
    "RESET default_text_search_config",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS public.portal_english",
]


def _run(schema_editor, statements):
    # A plain cursor: format()'s %I / %L must not be read as query parameters.
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _rebuild_fts(schema_editor, "porter unicode61 remove_diacritics 2")
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _rebuild_fts(schema_editor, "")
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        (
            "modelsearch",
            "0004_rename_modelsear_autocom_476c89_gin_modelsearch_autocom_ea8581_gin_and_more",
        ),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
