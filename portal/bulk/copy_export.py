"""CSV export on PostgreSQL with one `COPY (SELECT ...) TO STDOUT`: the database renders every
cell as `render` would (natural keys, ";" lists, yes/no, dates) and escapes formulas, so no row
passes through Python objects. Types with a column that has no SQL form are rendered in Python.
"""

import codecs
import csv
import io

from django.db import connection, transaction

from .formats import FORMULA_STARTS
from .writer import ident, is_postgres


def _escaped(column):
    """The cell as the Python export writes it: formula starts get an apostrophe, and an empty
    text is written like a missing value (COPY writes NULL as an empty unquoted field)."""
    starts = ", ".join(f"'{c}'" for c in FORMULA_STARTS)
    return (
        f"CASE WHEN {column} = '' THEN NULL WHEN left({column}, 1) IN ({starts}) "
        f"THEN '''' || {column} ELSE {column} END"
    )


def copy_statement(spec, country=None):
    """(COPY statement, params) for the export of `spec`, or None when a column has no SQL.

    The exported records' ids are a CTE; foreign keys are joined, and each list column is one
    aggregate per record grouped over the relation table (no subquery a row)."""
    opts = spec.model._meta
    pk = ident(opts.pk.column)
    expressions, joins = [], []
    for n, column in enumerate(spec.columns):
        if column.after_save:
            found = column.sql_aggregate(ident)
            if found is None:
                return None
            source, tables, value = found
            name = f"a{n}"
            joins.append(
                f"LEFT JOIN (SELECT {source} AS id, {value} AS v FROM {tables} "
                f"WHERE {source} IN (SELECT pk FROM records) GROUP BY {source}) {name} "
                f"ON {name}.id = r.{pk}"
            )
            expressions.append(f"{name}.v")
            continue
        expression = column.sql("r", ident)
        if expression is None:
            return None
        if hasattr(column, "sql_join"):
            joins.append(column.sql_join("r", ident))
        expressions.append(expression)
    records, params = spec.queryset(country).order_by().values("pk").query.sql_with_params()
    cells = ", ".join(_escaped(f"({e})") for e in expressions)
    statement = (
        f"COPY (WITH records AS ({records}) SELECT {cells} FROM {ident(opts.db_table)} r "
        f"JOIN records ON records.pk = r.{pk} {' '.join(joins)} ORDER BY r.{pk}) "
        "TO STDOUT WITH (FORMAT csv)"
    )
    return statement, params


def copy_csv(spec, target, *, country=None, progress=None):
    """Write the CSV export of `spec` to the text file `target` with COPY; False (nothing
    written) when not on PostgreSQL or the type has a column without an SQL form."""
    if not is_postgres():
        return False
    found = copy_statement(spec, country)
    if found is None:
        return False
    statement, params = found
    if params:
        # Bound here, not passed to cursor.copy(): the cursor Django hands out under DEBUG (or
        # with force_debug_cursor) has a copy() that takes the statement only.
        statement = connection.ops.compose_sql(statement, params)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(spec.headers)
    decoder = codecs.getincrementaldecoder("utf-8")()
    with transaction.atomic(), connection.wrap_database_errors, connection.cursor() as cursor:
        # JIT compiling this one statement costs more than it saves
        cursor.execute("SET LOCAL jit = off")
        with cursor.copy(statement) as copy:
            # the header goes out once the statement has started: a refused statement leaves
            # the target empty rather than holding a header that looks like an empty export
            target.write("\ufeff" + header.getvalue())
            for chunk in copy:
                target.write(decoder.decode(bytes(chunk)))
    target.write(decoder.decode(b"", final=True))
    if progress:
        progress(spec.queryset(country).count())
    return True
