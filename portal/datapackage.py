"""The whole database as a Frictionless Data Package: one zip, a CSV per record type.

`build()` writes `portal-datapackage.zip` (`datapackage.json` and `data/<type>.csv`) into
PORTAL_DATAPACKAGE_DIR, and beside it `portal-datapackage.meta.json` (the as-of time, the row
counts and the content generation it was built from) that the /data/ page reads without a query.

The tables are the registry's record types, each in its public download format
(portal.downloads.public_spec: the spreadsheet columns less the editor-only ones), of its public
records only. The table schemas are derived from the columns: field types from the model fields,
primary keys where the type's natural key is unique in the database, foreign keys where a column
names a record of another table by that table's key columns.

Freshness: the package was built from one content generation of the page cache
(portal.page_cache: every record write moves it on). A request to /data/ that finds the package
older than the current generation, and built more than PORTAL_DATAPACKAGE_MIN_AGE seconds ago
(so a burst of edits causes one rebuild), starts a rebuild in a background thread under a file
lock and serves the current package meanwhile; with no package at all, the request builds it.
`manage.py build_datapackage` builds it at once (deploys, cron).
"""

import csv
import fcntl
import io
import json
import logging
import os
import tempfile
import threading
import time
import zipfile
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models

from portal.bulk.columns import FieldColumn, ForeignKeyColumn
from portal.bulk.formats import escape_formula

from .downloads import PublicContext, public_columns, public_rows, public_spec
from .page_cache import content_generation, health
from .records import record_types

logger = logging.getLogger(__name__)

PACKAGE_NAME = "portal-datapackage.zip"
META_NAME = "portal-datapackage.meta.json"
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
SOURCES = [
    {"title": "Child Online Safety Portal: records maintained by its editors"},
    {"title": "Internet World Stats (indicators)", "path": "https://www.internetworldstats.com/"},
    {"title": "GSMA Intelligence (indicators)", "path": "https://www.gsmaintelligence.com/"},
    {"title": "National and international publications named in each record's source column"},
]


def package_dir():
    return Path(settings.PORTAL_DATAPACKAGE_DIR)


def package_path():
    return package_dir() / PACKAGE_NAME


def table_specs():
    """The tables: every declared record type, in registry order, in its public format."""
    return [public_spec(t.model) for t in record_types()]


# --- table schemas ----------------------------------------------------------------------------


def _field_type(field):
    if isinstance(field, models.BooleanField):
        return {"type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]}
    if isinstance(field, models.IntegerField):
        return {"type": "integer"}
    if isinstance(field, models.DecimalField | models.FloatField):
        return {"type": "number"}
    if isinstance(field, models.DateTimeField):
        return {"type": "datetime", "format": "any"}
    if isinstance(field, models.DateField):
        return {"type": "date"}
    return {"type": "string"}


def schema_field(column):
    described = {"name": column.name, "description": column.type_name}
    if isinstance(column, ForeignKeyColumn):
        try:
            field = column.related._meta.get_field(column.key)
        except FieldDoesNotExist:  # a key made of several fields, written as one text
            return {**described, "type": "string"}
        return {**described, **_field_type(field)}
    if isinstance(column, FieldColumn):
        described.update(_field_type(column.field))
        if column.choices:
            described["constraints"] = {"enum": list(column.choices)}
        return described
    return {**described, "type": "string"}  # a "; " list of natural keys or names


def _unique_sets(model):
    opts = model._meta
    sets = [{f.name} for f in opts.concrete_fields if f.unique and not f.primary_key]
    sets += [set(fields) for fields in opts.unique_together]
    sets += [set(c.fields) for c in opts.total_unique_constraints]
    return sets


def primary_key(spec):
    """The natural key's columns when the database keeps them unique, else None: they cover a
    unique set of fields, and a foreign key among them comes with the column its key is unique
    within (an act's title with the country)."""
    columns = [spec.by_name[name] for name in spec.key]
    attributes = {column.attribute for column in columns}
    for column in columns:
        scope = getattr(column, "scope", None)
        if scope and scope[0] not in spec.key:
            return None
    if any(attributes >= unique for unique in _unique_sets(spec.model)):
        return list(spec.key)
    return None


def _column_for(spec, attribute):
    return next((c for c in public_columns(spec) if c.attribute == attribute), None)


def foreign_keys(spec, tables):
    """Foreign keys of `spec`'s foreign-key columns whose related type is one of `tables` and
    whose key (with its scope) are columns there."""
    found = []
    for column in public_columns(spec):
        if not isinstance(column, ForeignKeyColumn) or column.related not in tables:
            continue
        target = tables[column.related]
        key = _column_for(target, column.key)
        fields, reference = [column.name], [key.name if key else None]
        if column.scope:
            own, theirs = column.scope
            scope = _column_for(target, theirs)
            fields.insert(0, own)
            reference.insert(0, scope.name if scope else None)
        if None not in reference:
            found.append(
                {
                    "fields": fields if len(fields) > 1 else fields[0],
                    "reference": {
                        "resource": target.name,
                        "fields": reference if len(reference) > 1 else reference[0],
                    },
                }
            )
    return found


def table_schema(spec, tables):
    schema = {"fields": [schema_field(c) for c in public_columns(spec)], "missingValues": [""]}
    key = primary_key(spec)
    if key:
        schema["primaryKey"] = key
    keys = foreign_keys(spec, tables)
    if keys:
        schema["foreignKeys"] = keys
    return schema


def descriptor(specs, created, rows):
    tables = {spec.model: spec for spec in specs}
    return {
        "profile": "tabular-data-package",
        "name": "child-online-safety-portal",
        "title": f"{settings.SITE_NAME}: the whole database",
        "description": (
            "Every published record of the portal, one CSV table per record type, in the "
            "columns of the editors' spreadsheet format (without the publishing status). "
            "Lists of related records are written as “a; b”; cells a spreadsheet program would "
            "run as a formula start with an apostrophe."
        ),
        "created": created,
        "licenses": [LICENCE],
        "sources": SOURCES,
        "resources": [
            {
                "name": spec.name,
                "title": str(spec.model._meta.verbose_name_plural).capitalize(),
                "path": f"data/{spec.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "stats": {"rows": rows[spec.name]},
                "schema": table_schema(spec, tables),
            }
            for spec in specs
        ],
    }


# --- writing ---------------------------------------------------------------------------------


def _write_table(target, spec, ctx):
    """Write `spec`'s public records as CSV to the text file `target`; the row count.

    Only text cells are formula-escaped: a number, date or yes/no keeps its typed form."""
    text = [schema_field(c)["type"] == "string" for c in public_columns(spec)]
    headers, rows = public_rows(spec, spec.model._default_manager.public(), ctx)
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([escape_formula(c) if t else c for c, t in zip(row, text, strict=True)])
        count += 1
    return count


def current_generation():
    try:
        return content_generation()
    except Exception as error:  # the cache is an accelerator: without it, no rebuild is triggered
        health.failed(error)  # logged once a minute at most, like every page-cache failure
        return None


def build(directory=None):
    """Write the package and its meta file (atomically: readers see the old or the new one).
    The meta data: {"created", "generation", "tables": [{name, title, rows}], "bytes"}."""
    directory = Path(directory or package_dir())
    directory.mkdir(parents=True, exist_ok=True)
    generation = current_generation()
    created = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    specs = table_specs()
    ctx = PublicContext()
    rows = {}
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".zip.part")
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for spec in specs:
                with zf.open(f"data/{spec.name}.csv", "w", force_zip64=True) as entry:
                    text = io.TextIOWrapper(entry, encoding="utf-8", newline="")
                    rows[spec.name] = _write_table(text, spec, ctx)
                    text.flush()
                    text.detach()
            package = descriptor(specs, created, rows)
            zf.writestr("datapackage.json", json.dumps(package, indent=2, ensure_ascii=False))
        os.replace(temporary, directory / PACKAGE_NAME)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    meta = {
        "created": created,
        "generation": generation,
        "bytes": (directory / PACKAGE_NAME).stat().st_size,
        "tables": [
            {"name": r["name"], "title": r["title"], "rows": r["stats"]["rows"]}
            for r in package["resources"]
        ],
    }
    _write_json(directory / META_NAME, meta)
    return meta


def _write_json(path, data):
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".json.part")
    with os.fdopen(handle, "w") as target:
        json.dump(data, target)
    os.replace(temporary, path)


def read_meta(directory=None):
    path = Path(directory or package_dir()) / META_NAME
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return meta if (path.parent / PACKAGE_NAME).exists() else None


# --- keeping it fresh --------------------------------------------------------------------------


@contextmanager
def build_lock(*, wait):
    """The directory's build lock (a file lock, so every process on the host shares it); yields
    False at once when another build holds it and `wait` is false."""
    directory = package_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def is_stale(meta):
    generation = current_generation()
    if generation is None or meta.get("generation") == generation:
        return False
    built = datetime.fromisoformat(meta["created"].replace("Z", "+00:00")).timestamp()
    return time.time() - built >= settings.PORTAL_DATAPACKAGE_MIN_AGE


def _rebuild_if_stale():
    with build_lock(wait=False) as locked:
        if not locked:
            return  # another build is under way
        meta = read_meta()
        if meta is None or is_stale(meta):
            build()


def _rebuild_in_background():
    try:
        _rebuild_if_stale()
    except Exception:
        logger.exception("Rebuilding the data package failed")
    finally:
        connection.close()  # the thread's own connection


def fresh_meta():
    """The meta data of a package to serve, built first when there is none; a stale one is
    served while it is rebuilt (PORTAL_DATAPACKAGE_REBUILD: "background", "inline" or "off")."""
    meta = read_meta()
    if meta is None:
        with build_lock(wait=True):
            meta = read_meta() or build()
        return meta
    mode = settings.PORTAL_DATAPACKAGE_REBUILD
    if mode != "off" and is_stale(meta):
        if mode == "inline":
            _rebuild_if_stale()
            meta = read_meta()
        else:
            threading.Thread(target=_rebuild_in_background, daemon=True).start()
    return meta
