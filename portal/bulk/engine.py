"""The fast import path: validate the whole file in Python, then write it in bulk.

1. Every cell is parsed and checked without a query a row: natural keys resolve through maps
   loaded once per file (`KeyMap`), existing records are loaded once, their relations once.
2. Each row is new, updated (with the changed columns named), unchanged or invalid (with the
   column and reason). One invalid row anywhere in the file means nothing is written. For the
   preview the first rows also carry their values (old and new for updated rows), and text that
   looks mis-decoded is flagged on every row.
3. Otherwise everything is written in one transaction: bulk_create/bulk_update in batches,
   history entries in bulk naming the importer, relations in bulk, and the written records are
   handed to the search index once the transaction commits.
"""

import time
from collections import Counter

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import timezone

from portal.models import Status
from portal.page_cache import bump_now_and_on_commit
from portal.permissions import assigned_country_ids, can_publish
from portal.search_index import index_records

from . import writer
from .columns import KEEP, ForeignKeyColumn, KeyMap
from .formats import FileProblem, misdecoded

NEW, UPDATED, UNCHANGED, INVALID = "new", "updated", "unchanged", "invalid"
OUTCOMES = (NEW, UPDATED, UNCHANGED, INVALID)
PUBLISHER_STATUSES = {Status.PUBLISHED, Status.WITHDRAWN}
BATCH_SIZE = 1000
LOOKUP_CHUNK = 5000
WRITE_CHUNK = 5000
DETAIL_CHARS = 120  # of a value shown in the preview
SUSPECT_CHARS = 60  # of a mis-decoded text and its repair shown in the preview


class Context:
    """What one import knows: who imports, and the natural-key maps it loaded."""

    public_only = False  # a public download's context sees public records only

    def __init__(self, user=None, filename="", batch_size=BATCH_SIZE, detail_rows=0):
        self.user = user
        self.filename = filename
        self.batch_size = batch_size
        # the number of valid rows per sheet that keep their values for the preview
        self.detail_rows = detail_rows
        self.allowed = assigned_country_ids(user) if user is not None else None
        self.publisher = user is None or can_publish(user)
        self._keymaps = {}
        self._instances = {}
        reason = f"Imported from {filename}"[:100] if filename else "Imported"
        # (history user id, change reason, history date) of every history entry written
        self.history = (user.pk if user is not None else None, reason, timezone.now())
        self.index_seconds = 0.0

    def keymap(self, model, key, *, scope=None, normalise=None):
        name = (model, key, scope)
        if name not in self._keymaps:
            self._keymaps[name] = KeyMap(
                model, key, scope=scope, normalise=normalise, public_only=self.public_only
            )
        return self._keymaps[name]

    def instances(self, model):
        """{pk: record} of a related model, loaded once (for Model.clean() rules)."""
        if model not in self._instances:
            records = model._default_manager.all().iterator(LOOKUP_CHUNK)
            self._instances[model] = {record.pk: record for record in records}
        return self._instances[model]

    def forget(self, model):
        """Drop the maps of `model` after writing it, so later sheets see the new records."""
        self._keymaps = {k: v for k, v in self._keymaps.items() if k[0] is not model}
        self._instances.pop(model, None)

    def may(self, action, model):
        if self.user is None:
            return True
        opts = model._meta
        return self.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


class RowResult:
    """One row's outcome. `details` (for the preview's first rows) holds (column, old text, new
    text) of each changed column of an updated row, (column, None, text) of each value of a new
    row; `suspect` holds (column, text, the text as probably meant) of the cells that look
    mis-decoded (the texts empty beyond those first rows)."""

    __slots__ = ("number", "key", "outcome", "changes", "errors", "details", "suspect")

    def __init__(self, number, key):
        self.number = number
        self.key = key
        self.outcome = None
        self.changes = ()
        self.errors = ()
        self.details = ()
        self.suspect = ()


class TableResult:
    """The outcome of one sheet (or the whole CSV/JSON file)."""

    def __init__(self, spec, sheet=""):
        self.spec = spec
        self.sheet = sheet
        self.rows = []
        self.problems = []  # problems with the sheet as a whole (headers)

    @property
    def counts(self):
        counts = Counter(row.outcome for row in self.rows)
        return {outcome: counts.get(outcome, 0) for outcome in OUTCOMES}

    @property
    def invalid_rows(self):
        return [row for row in self.rows if row.outcome == INVALID]

    @property
    def suspect_rows(self):
        return [row for row in self.rows if row.suspect]

    @property
    def valid(self):
        return not self.problems and not any(row.outcome == INVALID for row in self.rows)


class ImportResult:
    def __init__(self, filename, dry_run):
        self.filename = filename
        self.dry_run = dry_run
        self.tables = []
        self.problems = []  # problems with the file as a whole
        self.written = False
        self.seconds = 0.0
        # seconds of each step: read (parse the file), validate, write (records, relations,
        # history; the commit), index (search index, after the commit)
        self.timings = {"read": 0.0, "validate": 0.0, "write": 0.0, "index": 0.0}

    @property
    def valid(self):
        return not self.problems and all(table.valid for table in self.tables)

    @property
    def counts(self):
        total = Counter()
        for table in self.tables:
            total.update(table.counts)
        return {outcome: total.get(outcome, 0) for outcome in OUTCOMES}

    @property
    def rows(self):
        return sum(len(table.rows) for table in self.tables)

    @property
    def suspect_rows(self):
        return [row for table in self.tables for row in table.suspect_rows]

    @property
    def rows_per_second(self):
        return self.rows / self.seconds if self.seconds else 0.0

    def summary(self):
        counts = self.counts
        text = ", ".join(f"{counts[o]} {o}" for o in OUTCOMES)
        steps = ", ".join(f"{name} {seconds:.2f}" for name, seconds in self.timings.items())
        return (
            f"{self.rows} rows: {text}; {self.rows_per_second:,.0f} rows/s "
            f"in {self.seconds:.2f} s (seconds: {steps})"
        )


class TablePlan:
    """What writing one sheet will do: new records, updated records, relation values."""

    def __init__(self, spec, result):
        self.spec = spec
        self.result = result
        self.new = []  # tuples of the values of `new_attnames`, one a new record
        fields = [f for f in spec.model._meta.concrete_fields if not f.primary_key]
        self.new_attnames = [f.attname for f in fields]
        # New rows need no model instance unless Model.clean() or the type's validate_row
        # has rules of its own.
        self.plain_new = spec.row_check is None and spec.model.clean is models.Model.clean
        self._static_defaults = {
            f.attname: f.get_default() for f in fields if not callable(f.default)
        }
        self._dynamic_defaults = [f for f in fields if callable(f.default)]
        self.updated = []  # the changed records
        self.update_fields = set()
        # {column name: [(index in `new`, value)]} and {column name: [(record, value)]}
        self.new_relations = {column.name: [] for column in spec.relation_columns}
        self.relations = {column.name: [] for column in spec.relation_columns}

    def new_defaults(self):
        """{attname: value} of a new record before the row's values are set."""
        defaults = dict(self._static_defaults)
        for field in self._dynamic_defaults:
            defaults[field.attname] = field.get_default()
        return defaults


def _key_label(values, raw_keys):
    return " / ".join(str(v) for v in raw_keys if v not in (None, ""))


def plan_table(spec, table, ctx, progress=None):
    """Check every row of `table` against `spec` and the database; write nothing."""
    result = TableResult(spec, table.name)
    plan = TablePlan(spec, result)
    headers = [h.strip().lower() for h in table.headers]
    _check_headers(spec, headers, result)
    if result.problems:
        return plan
    positions = sorted(
        ((index, spec.by_name[name]) for index, name in enumerate(headers)),
        key=lambda item: spec.columns.index(item[1]),
    )
    present = {column.name for _, column in positions}
    key_positions = [headers.index(name) for name in spec.key]
    keep_blank = [c for _, c in positions if getattr(c, "keep_when_blank", False)]
    width = len(headers)

    parsed = []
    for number, cells in table.rows:
        values, errors = {}, {}
        for index, column in positions:
            raw = cells[index] if index < len(cells) else None
            try:
                values[column.name] = column.parse(raw, ctx, values)
            except ValueError as error:
                errors[column.name] = str(error)
        if len(cells) > width or (table.exact_width and len(cells) < width):
            errors = _width_errors(number, cells, headers)
        suspect = _suspect_cells(cells, headers)
        raw_keys = [cells[i] if i < len(cells) else "" for i in key_positions]
        parsed.append((number, values, errors, _key_label(values, raw_keys), suspect))
        if progress:
            progress(1)

    table.rows = []  # the parsed values are all that is needed from here on: free the cells
    existing = _load_existing(spec, parsed)
    currents = _load_relations(spec, ctx, [record.pk for record in existing.values()], present)
    slugs = _load_slugs(spec) if "slug" in spec.by_name else None
    may_add, may_change = ctx.may("add", spec.model), ctx.may("change", spec.model)
    seen = {}
    key_columns = ", ".join(spec.key)

    detailed = 0
    for index, (number, values, errors, label, suspect) in enumerate(parsed):
        parsed[index] = None  # keep memory flat: each row's values are dropped once planned
        row = RowResult(number, label)
        result.rows.append(row)
        record = None
        if all(name in values for name in spec.key):
            key = tuple(values[name] for name in spec.key)
            if key in seen:
                errors[key_columns] = f"Same {key_columns} as row {seen[key]} of this file."
            else:
                seen[key] = number
                record = existing.get(key)
        for column in keep_blank:
            if values.get(column.name) is KEEP:
                if record is None:
                    values[column.name] = column.empty_value()
                else:
                    del values[column.name]
        relations = currents.get(record.pk, {}) if record is not None else {}
        if record is None and not may_add:
            errors.setdefault("", f"You may not add {spec.verbose_name_plural}.")
        if record is not None and not may_change:
            errors.setdefault("", f"You may not change {spec.verbose_name_plural}.")
        errors.update(_permission_errors(spec, ctx, values, record, relations, errors))
        if slugs is not None and "slug" not in errors:
            problem = _settle_slug(spec, ctx, values, record, slugs)
            if problem:
                errors["slug"] = problem
        target = before = None
        if not errors and (record is not None or not plan.plain_new):
            target, before = _assign(spec, ctx, record, values)
            errors.update(_clean_errors(spec, target))
            if not errors:
                errors.update(spec.validate_row(ctx, values, target, relations))
        detail = detailed < ctx.detail_rows
        if suspect:
            # the texts only where the preview lists the row's values
            row.suspect = tuple(
                (name, *(_excerpts(text, repaired, SUSPECT_CHARS) if detail else ("", "")))
                for name, text, repaired in suspect
            )
        if errors:
            row.outcome = INVALID
            row.errors = tuple(errors.items())
            continue
        detailed += 1
        if record is None:
            if detail:
                row.details = _new_details(spec, ctx, values)
            _plan_new(plan, target, values)
            row.outcome = NEW
        else:
            changed = _plan_update(plan, record, before, values, relations)
            row.outcome = UPDATED if changed else UNCHANGED
            row.changes = tuple(changed)
            if detail and changed:
                row.details = _changed_details(
                    spec, ctx, record, before, values, relations, changed
                )
    return plan


def _width_errors(number, cells, headers):
    """The row's only error when it has more or fewer cells than the header: the errors of
    its other cells would follow from the shift."""
    width = len(headers)
    if len(cells) > width:
        extra = [
            (index + 1, str(cell).strip())
            for index, cell in enumerate(cells)
            if index >= width and cell is not None and str(cell).strip()
        ]
        first, last = (extra[0][0], extra[-1][0]) if extra else (width + 1, len(cells))
        where = f"cell {first}" if first == last else f"cells {first}–{last}"
        if extra:
            shown = ", ".join(f"“{_shorten(text, 40)}”" for _, text in extra[:3])
            what = f"{shown} would be lost"
        else:
            what = "the cells have probably moved by one"
        return {
            f"{where} (no header)": (
                f"Row {number} has {len(cells)} cells but the header has {width}: {what}. A "
                "cell with a comma in it must be in double quotes (spreadsheet programs do this "
                "when they save CSV)."
            )
        }
    return {
        ", ".join(headers[len(cells) :]): (
            f"Row {number} has {len(cells)} cells but the header has {width}: there is no cell "
            "for these columns, so the row's cells may have moved. Write an empty cell as "
            "nothing between two commas."
        )
    }


def _suspect_cells(cells, headers):
    """[(column name, text, repaired text)] of the cells that look mis-decoded."""
    found = []
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and not cell.isascii():
            repaired = misdecoded(cell)
            if repaired is not None:
                name = headers[index] if index < len(headers) else f"cell {index + 1}"
                found.append((name, cell, repaired))
    return found


def _shorten(text, limit):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _excerpts(old, new, limit=DETAIL_CHARS):
    """`old` and `new` cut to `limit` characters around their first difference, so that a change
    deep in a long text shows."""
    if len(old) <= limit and len(new) <= limit:
        return old, new
    same = 0
    for a, b in zip(old, new, strict=False):
        if a != b:
            break
        same += 1
    start = max(0, same - limit // 3)

    def cut(text):
        part = text[start : start + limit]
        return ("…" if start else "") + part + ("…" if start + limit < len(text) else "")

    return cut(old), cut(new)


def _column_text(column, ctx, value):
    if column.after_save:
        return column.render_value(value, ctx) if value else ""
    return column.text(value, ctx)


def _new_details(spec, ctx, values):
    details = []
    for column in spec.columns:
        if column.name in values:
            text = _column_text(column, ctx, values[column.name])
            if text:
                details.append((column.name, None, _shorten(text, DETAIL_CHARS)))
    return tuple(details)


def _changed_details(spec, ctx, record, before, values, relations, changed):
    details = []
    for name in changed:
        column = spec.by_name[name]
        if column.after_save:
            old = _column_text(column, ctx, relations.get(name))
            new = _column_text(column, ctx, values[name])
        else:
            old = column.text(before[column.attname], ctx)
            new = column.text(getattr(record, column.attname), ctx)
        details.append((name, *_excerpts(old, new)))
    return tuple(details)


def _check_headers(spec, headers, result):
    blank = [str(i + 1) for i, name in enumerate(headers) if not name]
    if blank:
        result.problems.append(f"Column(s) {', '.join(blank)} have no header.")
    unknown = [name for name in headers if name and name not in spec.by_name]
    if unknown:
        result.problems.append(
            f"Unknown column(s): {', '.join(unknown)}. The columns of {spec.name} are: "
            f"{', '.join(spec.headers)}."
        )
    doubled = sorted({name for name in headers if name and headers.count(name) > 1})
    if doubled:
        result.problems.append(f"Column(s) given twice: {', '.join(doubled)}.")
    missing = [
        c.name for c in spec.columns if (c.required or c.name in spec.key) and c.name not in headers
    ]
    if missing:
        result.problems.append(f"Missing required column(s): {', '.join(missing)}.")


def _load_existing(spec, parsed):
    """{natural key: record} for the records the file may update, in one pass."""
    first = spec.by_name[spec.key[0]]
    queryset = spec.model._default_manager.all()
    wanted = {values[first.name] for _, values, *_ in parsed if first.name in values}
    key_columns = [spec.by_name[name] for name in spec.key]
    found = {}
    wanted = list(wanted)
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        for record in queryset.filter(**{f"{first.attname}__in": chunk}).iterator(2000):
            found[tuple(getattr(record, c.attname) for c in key_columns)] = record
    return found


def _load_relations(spec, ctx, ids, present):
    currents = {pk: {} for pk in ids}
    for column in spec.relation_columns:
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start : start + LOOKUP_CHUNK]
            for pk, value in column.load_current(ctx, chunk).items():
                currents[pk][column.name] = value
    return currents


def _load_slugs(spec):
    """{(scope id, slug): pk}; the scope is None unless slugs are unique within a parent only."""
    manager = spec.model._default_manager
    if spec.slug_scope is None:
        return {(None, slug): pk for slug, pk in manager.values_list("slug", "pk").iterator(5000)}
    attname = spec.by_name[spec.slug_scope].attname
    return {
        (s, slug): pk for s, slug, pk in manager.values_list(attname, "slug", "pk").iterator(5000)
    }


def _settle_slug(spec, ctx, values, record, slugs):
    """Give a new record a unique slug; an existing one keeps its own when the cell is empty."""
    given = values.get("slug") or ""
    max_length = spec.model._meta.get_field("slug").max_length
    scope = None
    if spec.slug_scope is not None:
        scope = values.get(spec.slug_scope)
        if scope is None and record is not None:
            scope = getattr(record, spec.by_name[spec.slug_scope].attname)
    if given:
        owner = slugs.get((scope, given))
        if owner is not None and (record is None or owner != record.pk):
            return f"The slug “{given}” is already used by another record or row."
        slugs[(scope, given)] = record.pk if record is not None else -1
        return None
    if record is not None:
        if "slug" in values:
            values["slug"] = record.slug
        return None
    base = spec.make_slug(values, ctx)[:max_length].strip("-")
    slug, n = base, 1
    while (scope, slug) in slugs:
        n += 1
        suffix = f"-{n}"
        slug = base[: max_length - len(suffix)].strip("-") + suffix
    slugs[(scope, slug)] = -1
    values["slug"] = slug
    return None


def _country_ids(spec, values, record, relations):
    column = spec.country_column
    old, new = set(), set()
    if spec.country_many:
        if record is not None:
            old = set(relations.get(column.name, ())) if column else set()
        new = set(values[column.name]) if column and column.name in values else old
    else:
        attname = f"{spec.country_attribute}_id"
        if record is not None and getattr(record, attname) is not None:
            old = {getattr(record, attname)}
        if column is not None and column.name in values:
            new = {values[column.name]} if values[column.name] is not None else set()
        else:
            new = old
    return old, new


def _permission_errors(spec, ctx, values, record, relations, errors):
    found = {}
    if ctx.allowed is not None and spec.country_attribute:
        name = spec.country_column.name if spec.country_column else spec.country_attribute
        if name not in errors:
            old, new = _country_ids(spec, values, record, relations)
            if not (old | new) <= ctx.allowed:
                found[name] = (
                    "You are not assigned to the country of the existing record."
                    if not old <= ctx.allowed
                    else "You are not assigned to this country."
                )
    if "status" in values and "status" not in errors and not ctx.publisher:
        if record is not None:
            before = record.status
        else:
            before = spec.model._meta.get_field("status").get_default()
        after = values["status"]
        if after != before and after in PUBLISHER_STATUSES:
            found["status"] = "Only publishers may import published or withdrawn records."
        elif after != before and before in PUBLISHER_STATUSES:
            found["status"] = (
                f"The record is {Status(before).label.lower()}: only publishers change its "
                f"status (this row makes it {Status(after).label.lower()}). Leave the cell "
                "empty to keep its status."
            )
    return found


def _assign(spec, ctx, record, values):
    """The record with the row's values set (a new instance for a new row), and the values of
    its concrete fields before (None for a new row). Related records named by a foreign key
    come from maps loaded once, so the model's clean() reading them costs no query a row."""
    target = record if record is not None else spec.model()
    before = None
    if record is not None:
        before = {f.attname: getattr(record, f.attname) for f in spec.model._meta.concrete_fields}
    for column in spec.field_columns:
        if column.name in values:
            column.assign(target, values[column.name])
            if isinstance(column, ForeignKeyColumn) and values[column.name] is not None:
                related = ctx.instances(column.related).get(values[column.name])
                if related is not None:
                    column.field.set_cached_value(target, related)
    return target, before


def _clean_errors(spec, target):
    """The model's own cross-field rules (Model.clean), errors named by column."""
    try:
        target.clean()
    except ValidationError as error:
        columns = {column.attribute: column.name for column in spec.columns}
        return {
            columns.get(name, "" if name == NON_FIELD_ERRORS else name): " ".join(messages)
            for name, messages in error.message_dict.items()
        }
    return {}


def _plan_new(plan, record, values):
    """Keep the new record as a compact tuple of its field values, not a model instance (when
    the model has no clean() rules and the type no extra check, none is made: the tuple is
    the fields' defaults with the row's values, as a new instance would hold them)."""
    index = len(plan.new)
    if record is None:
        fields = plan.new_defaults()
        for column in plan.spec.field_columns:
            if column.name in values:
                fields[column.attname] = values[column.name]
        plan.new.append(tuple(fields[attname] for attname in plan.new_attnames))
    else:
        plan.new.append(tuple(getattr(record, attname) for attname in plan.new_attnames))
    for column in plan.spec.relation_columns:
        if column.name in values and values[column.name]:
            plan.new_relations[column.name].append((index, values[column.name]))


def _plan_update(plan, record, before, values, relations):
    by_attname = {c.attname: c.name for c in plan.spec.field_columns}
    changed = []
    for attname, value in before.items():
        if getattr(record, attname) != value:
            plan.update_fields.add(attname)
            if attname in by_attname:
                changed.append(by_attname[attname])
    for column in plan.spec.relation_columns:
        if column.name in values and values[column.name] != relations.get(column.name):
            changed.append(column.name)
            plan.relations[column.name].append((record, values[column.name]))
    if changed:
        plan.updated.append(record)
    return changed


class Written:
    """A record written by this import, as relation writers see it (its id; version 1 = new)."""

    __slots__ = ("pk", "version")

    def __init__(self, pk, version=1):
        self.pk = pk
        self.version = version


def apply_plan(plan, ctx, progress=None):
    """Write one planned sheet: new records (COPY on PostgreSQL, bulk_create on SQLite), changed
    records (bulk_update), relation rows, then one history entry per written record with its
    tracked many-to-many values, all in SQL a chunk at a time."""
    spec, model = plan.spec, plan.spec.model
    user_id, reason, now = ctx.history
    stamps = [i for i, a in enumerate(plan.new_attnames) if a in ("created_at", "updated_at")]
    new_ids = []
    for chunk in _chunks(plan.new, WRITE_CHUNK):
        if stamps:
            chunk = [_stamped(row, stamps, now) for row in chunk]
        new_ids.extend(
            writer.insert_rows(model, plan.new_attnames, chunk, batch_size=ctx.batch_size)
        )
    plan.new = []
    fields = sorted(plan.update_fields | {"version", "updated_at"})
    for chunk in _chunks(plan.updated, WRITE_CHUNK):
        for record in chunk:
            record.version += 1
            record.updated_at = now
        writer.update_rows(model, chunk, fields, batch_size=ctx.batch_size)
    for column in spec.relation_columns:
        new_links = plan.new_relations[column.name]
        if column.needs_records:  # a writer that works on model instances (e.g. services)
            records = _records(model, [new_ids[i] for i, _ in new_links])
            changes = [(records[new_ids[i]], value) for i, value in new_links]
        else:
            changes = [(Written(new_ids[i]), value) for i, value in new_links]
        changes.extend(plan.relations[column.name])
        if changes:
            column.write(ctx, changes)
    updated_ids = [record.pk for record in plan.updated]
    writer.write_history(model, new_ids, "+", user_id=user_id, reason=reason, date=now)
    writer.write_history(model, updated_ids, "~", user_id=user_id, reason=reason, date=now)
    if progress:
        progress(len(new_ids) + len(updated_ids))
    ctx.forget(model)
    written = new_ids + updated_ids
    plan.updated = []
    if len(written) >= writer.ANALYZE_ROWS:
        transaction.on_commit(lambda: writer.analyze(model))
    if written:
        transaction.on_commit(lambda: _index(ctx, model, written))
        # bulk writes send no model signals: cached country pages go stale here, explicitly
        bump_now_and_on_commit()


def _records(model, ids):
    records = {}
    for chunk in _chunks(ids, LOOKUP_CHUNK):
        records.update(model._default_manager.in_bulk(chunk))
    return records


def _stamped(row, positions, now):
    row = list(row)
    for position in positions:
        row[position] = now
    return tuple(row)


def _index(ctx, model, ids):
    """Add the written records to the search index a chunk at a time (the index reads what it
    needs of them itself: the instances carry their ids only)."""
    start = time.perf_counter()
    db, names = model._default_manager.db, [model._meta.pk.attname]
    for chunk in _chunks(ids, WRITE_CHUNK):
        # the stored records with only their ids loaded (what `.only("pk")` would read)
        index_records(model, [model.from_db(db, names, (pk,)) for pk in chunk])
    ctx.index_seconds += time.perf_counter() - start


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_import(
    pairs,
    *,
    user=None,
    dry_run=False,
    filename="",
    progress=None,
    read_seconds=0.0,
    detail_rows=0,
):
    """Import [(spec, table)] all or nothing. With dry_run nothing is kept (the preview); the
    first `detail_rows` valid rows of each sheet keep their values for it.

    `result.seconds` covers reading the file (`read_seconds`, measured by the caller), checking
    every row, writing (records, relations, history, the commit) and adding the written records
    to the search index after the commit; `result.timings` has each step."""
    result = ImportResult(filename, dry_run)
    ctx = Context(user, filename, detail_rows=detail_rows)
    timings = result.timings
    timings["read"] = read_seconds
    start = time.perf_counter()
    try:
        with transaction.atomic():
            for index, (spec, table) in enumerate(pairs):
                step = time.perf_counter()
                plan = plan_table(spec, table, ctx, progress)
                result.tables.append(plan.result)
                timings["validate"] += time.perf_counter() - step
                later_sheets = index < len(pairs) - 1
                if result.valid and (not dry_run or later_sheets):
                    step = time.perf_counter()
                    apply_plan(plan, ctx)
                    timings["write"] += time.perf_counter() - step
            if dry_run or not result.valid:
                transaction.set_rollback(True)
            else:
                result.written = True
            step = time.perf_counter()
        # the commit runs the search indexing (on_commit): measured apart from the commit itself
        timings["write"] += time.perf_counter() - step - ctx.index_seconds
        timings["index"] = ctx.index_seconds
    except FileProblem as problem:  # found while reading the rows (they are read lazily)
        result.written = False
        result.problems.append(str(problem))
    except IntegrityError as error:
        result.written = False
        result.problems.append(
            "The database refused the file, nothing was written: a record it adds, changes or "
            "names was changed by someone else meanwhile. Upload the file again to see the "
            f"records as they are now. ({error})"
        )
    except DatabaseError as error:
        result.written = False
        result.problems.append(f"The database refused the file, nothing was written: {error}")
    result.seconds = read_seconds + time.perf_counter() - start
    return result
