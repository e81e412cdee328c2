"""Writing many rows at once: new records, their history and their relation rows.

PostgreSQL: ids are taken from the table's sequence first and the rows go in with COPY (psycopg 3
`cursor.copy()`). SQLite: `bulk_create`. On both, history entries are written with one
`INSERT INTO <history> ... SELECT ... FROM <table>` per chunk (so an entry holds exactly what was
stored), and the tracked many-to-many fields of each entry (django-simple-history `m2m_fields`)
with one `INSERT ... SELECT` from the relation table.

Identifiers come from model metadata and are quoted (psycopg.sql on PostgreSQL); every value is a
query parameter or goes through COPY, never into the SQL text.
"""

from django.db import connection

ANALYZE_ROWS = 10_000  # written rows after which the planner's statistics are refreshed
SQLITE_CHUNK = 500  # ids per "IN (...)" on SQLite (its parameter limit)
HISTORY_FIELDS = ("history_id", "history_date", "history_change_reason", "history_type")
# Filled after the entries are written (portal.history.store_children).
LATER_HISTORY_FIELDS = ("history_children",)


def is_postgres():
    return connection.vendor == "postgresql"


def ident(name):
    """A quoted SQL identifier."""
    if is_postgres():
        from psycopg import sql

        connection.ensure_connection()
        return sql.Identifier(name).as_string(connection.connection)
    return '"' + name.replace('"', '""') + '"'


def _id_chunks(ids):
    ids = list(ids)
    size = len(ids) if is_postgres() else SQLITE_CHUNK
    for start in range(0, len(ids), max(size, 1)):
        yield ids[start : start + size]


def _in(column_sql, ids):
    """(SQL condition, params) for `column IN ids`."""
    if is_postgres():
        return f"{column_sql} = ANY(%s::bigint[])", [list(ids)]
    return f"{column_sql} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _column(model, attname):
    return next(f.column for f in model._meta.concrete_fields if f.attname == attname)


# --- new rows --------------------------------------------------------------------------------


def insert_rows(model, attnames, rows, *, batch_size=1000, return_ids=True):
    """Insert `rows` (tuples of values for `attnames`, in that order) into `model`'s table
    without signals; returns the new primary keys in the order of `rows` (on PostgreSQL, with
    `return_ids` False, the table's default makes them and None is returned)."""
    if not rows:
        return []
    if not return_ids and is_postgres():
        _copy(model, [_column(model, a) for a in attnames], rows)
        return None
    if not is_postgres():
        ids = []
        for start in range(0, len(rows), 5000):  # a few batches of instances at a time
            objects = [
                model(**dict(zip(attnames, row, strict=True))) for row in rows[start : start + 5000]
            ]
            model._default_manager.bulk_create(objects, batch_size=batch_size)
            ids.extend(obj.pk for obj in objects)
        return ids
    opts = model._meta
    pk_column = opts.pk.column
    columns = [pk_column] + [_column(model, a) for a in attnames]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [ident(opts.db_table), pk_column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    _copy(model, columns, ((pk, *row) for pk, row in zip(ids, rows, strict=True)))
    return ids


def _copy(model, columns, rows):
    _copy_table(ident(model._meta.db_table), columns, rows)


def _copy_table(table, columns, rows):
    """COPY `rows` into the (quoted) `table`'s `columns`. Django wraps the errors of execute()
    only: a refused COPY (a key another import has just written) must raise IntegrityError
    too, which the import reports, not psycopg's own error."""
    statement = f"COPY {table} ({', '.join(ident(c) for c in columns)}) FROM STDIN"
    with connection.wrap_database_errors, connection.cursor() as cursor:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


def update_rows(model, records, fields, *, batch_size=1000):
    """Store `fields` (attribute names) of the changed `records`. PostgreSQL: the values go by
    COPY into a temporary table, then one UPDATE ... FROM it; SQLite: bulk_update."""
    if not records:
        return
    if not is_postgres():
        model._default_manager.bulk_update(records, fields, batch_size=batch_size)
        return
    opts = model._meta
    pk = opts.pk.column
    columns = [pk] + [_column(model, attname) for attname in fields]
    table, stage = ident(opts.db_table), ident("portal_bulk_update_stage")
    names = ", ".join(ident(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
    attnames = [opts.pk.attname, *fields]
    _copy_table(stage, columns, (tuple(getattr(r, a) for a in attnames) for r in records))
    assignments = ", ".join(f"{ident(c)} = s.{ident(c)}" for c in columns[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} t SET {assignments} FROM {stage} s WHERE t.{ident(pk)} = s.{ident(pk)}"
        )
        cursor.execute(f"DROP TABLE {stage}")


def delete_rows(model, column, ids, *, history=None):
    """Delete the rows of `model` whose `column` is one of `ids`; with `history` (user id,
    reason, date) a "-" history entry is written for each deleted row first."""
    table = ident(model._meta.db_table)
    with connection.cursor() as cursor:
        for chunk in _id_chunks(ids):
            condition, params = _in(ident(column), chunk)
            if history is not None and has_history(model):
                _insert_history(cursor, model, condition, params, "-", *history)
            cursor.execute(f"DELETE FROM {table} WHERE {condition}", params)


# --- history ---------------------------------------------------------------------------------


def has_history(model):
    return hasattr(model, "history") and hasattr(model.history, "model")


def _copied_columns(model, history_model):
    base = {f.column for f in model._meta.concrete_fields}
    columns = [f.column for f in history_model._meta.concrete_fields if f.column in base]
    others = {f.name for f in history_model._meta.concrete_fields if f.column not in base}
    unknown = others - set(HISTORY_FIELDS) - set(LATER_HISTORY_FIELDS) - {"history_user"}
    assert not unknown, f"history fields not handled by the bulk writer: {unknown}"
    return columns


def _insert_history(cursor, model, condition, params, history_type, user_id, reason, date):
    history_model = model.history.model
    columns = _copied_columns(model, history_model)
    names = ", ".join(ident(c) for c in columns)
    user_column = history_model._meta.get_field("history_user").column
    statement = (
        f"INSERT INTO {ident(history_model._meta.db_table)} ({names}, "
        f"{ident('history_date')}, {ident('history_change_reason')}, {ident('history_type')}, "
        f"{ident(user_column)}) "
        f"SELECT {names}, %s, %s, %s, %s FROM {ident(model._meta.db_table)} WHERE {condition} "
        f"RETURNING {ident('history_id')}, {ident(model._meta.pk.column)}"
    )
    cursor.execute(statement, [date, reason, history_type, user_id, *params])
    return [tuple(row) for row in cursor.fetchall()]  # (history id, record id)


def write_history(model, ids, history_type, *, user_id, reason, date, column=None):
    """One history entry (type "+" or "~") for each row of `model` whose `column` (default:
    the primary key) is one of `ids`, as it is stored now, with the tracked many-to-many values
    and inline rows of each entry. Returns the number of entries."""
    from portal.history import store_children

    if not ids or not has_history(model):
        return 0
    written = 0
    column = ident(column or model._meta.pk.column)
    with connection.cursor() as cursor:
        for chunk in _id_chunks(ids):
            condition, params = _in(column, chunk)
            entries = _insert_history(
                cursor, model, condition, params, history_type, user_id, reason, date
            )
            history_ids = [history_id for history_id, _ in entries]
            written += len(history_ids)
            for field in tracked_m2m_fields(model):
                _insert_m2m_history(cursor, model, field, history_ids)
            store_children(model, entries)
    return written


def tracked_m2m_fields(model):
    return list(getattr(model.history.model, "_history_m2m_fields", ()))


def m2m_history_model(model, field):
    history_model = model.history.model
    name = f"{history_model.__name__}_{field.name}"
    for relation in history_model._meta.related_objects:
        if relation.related_model.__name__ == name and relation.field.name == "history":
            return relation.related_model
    raise LookupError(f"No history table for {model.__name__}.{field.name}")


def _insert_m2m_history(cursor, model, field, history_ids):
    """Copy the relation rows of each new history entry's record into its m2m history table."""
    m2m_model = m2m_history_model(model, field)
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).column
    through_columns = {f.column for f in through._meta.concrete_fields}
    history_model = model.history.model
    columns = [f.column for f in m2m_model._meta.concrete_fields if f.column in through_columns]
    history_column = m2m_model._meta.get_field("history").column
    for chunk in _id_chunks(history_ids):
        condition, params = _in(f"h.{ident('history_id')}", chunk)
        cursor.execute(
            f"INSERT INTO {ident(m2m_model._meta.db_table)} "
            f"({', '.join(ident(c) for c in columns)}, {ident(history_column)}) "
            f"SELECT {', '.join('t.' + ident(c) for c in columns)}, h.{ident('history_id')} "
            f"FROM {ident(through._meta.db_table)} t "
            f"JOIN {ident(history_model._meta.db_table)} h "
            f"ON h.{ident(model._meta.pk.column)} = t.{ident(source)} WHERE {condition}",
            params,
        )


# --- relation rows ---------------------------------------------------------------------------


def replace_relation_rows(
    through, source_attname, stored_ids, attnames, rows, *, history=None, batch_size=1000
):
    """Make the rows of `through` whose `source_attname` is one of the written records equal to
    `rows` (tuples for `attnames`, which start with `source_attname`).

    The old rows of records that existed before (`stored_ids`) are deleted first. When `through`
    has a history of its own and `history` (user id, reason, date) is given, deletions get "-"
    entries and new rows "+" entries."""
    column = _column(through, source_attname)
    if stored_ids:
        delete_rows(through, column, stored_ids, history=history)
    insert_rows(through, attnames, rows, batch_size=batch_size, return_ids=False)
    if history is not None and has_history(through):
        # the rows of these records now are exactly the rows just inserted
        user_id, reason, date = history
        sources = sorted({row[attnames.index(source_attname)] for row in rows})
        write_history(
            through, sources, "+", user_id=user_id, reason=reason, date=date, column=column
        )


def analyze(model):
    """Refresh PostgreSQL's statistics of `model`'s table and its many-to-many tables after a
    large bulk write (before autovacuum does: stale counts gave the export a plan 40x slower)."""
    if not is_postgres():
        return
    tables = [model._meta.db_table]
    tables += [f.remote_field.through._meta.db_table for f in model._meta.many_to_many]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(ident(t) for t in dict.fromkeys(tables))}")
