"""The editor's desk, the admin's start page: what waits for the signed-in user (their countries).

- records in review (for Publishers: ready to publish, each with its review page);
- the user's own drafts (last saved by them, or sent back to them with a note);
- open suggested corrections;
- recent spreadsheet imports and what each did;
- stale records: published, unchanged for more than PORTAL_STALE_AFTER_DAYS, oldest first.

The three record lists come from one UNION ALL query across every registered record type, with
window functions for each list's count, each type's count and the first rows; then one query per
record type among the rows shown (bounded by the registry, never by the records) reads them for
display. Suggestions and imports take two queries each. The scope is the editing rule of
portal.permissions: records the user may change.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models import CharField as CharType
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from .models import ImportLog, ReviewNote, Status, Suggestion
from .permissions import assigned_country_ids, can_publish, country_relation, is_administrator
from .records import record_types

ROWS = 10  # rows shown per list
LISTS = {
    "review": "In review",
    "draft": "Your drafts",
    "stale": "Stale records",
}


@dataclass
class DeskItem:
    record: object
    type_label: str
    url: str
    when: object
    note: str = ""


@dataclass
class DeskList:
    key: str
    title: str
    count: int = 0
    items: list = field(default_factory=list)
    by_type: list = field(default_factory=list)  # (label, count, changelist url)


def editable_scope(model, allowed):
    """The records of `model` the user may change (portal.permissions): all for `None`."""
    if allowed is None:
        return Q()
    name, many = country_relation(model)
    if name is None:
        return Q()
    if name == "self":
        return Q(pk__in=allowed)
    if not many:
        return Q(**{f"{name}__in": allowed})
    relation = model._meta.get_field(name)
    through = relation.remote_field.through
    own, other = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    outside = through.objects.filter(**{own: OuterRef("pk")}).exclude(**{f"{other}__in": allowed})
    return ~Exists(outside)


def _type_rows(index, record_type, content_type, user, allowed, stale_before):
    model = record_type.model
    history = model.history.model._default_manager
    last_saved_by = Subquery(
        history.filter(id=OuterRef("pk"))
        .order_by("-history_date", "-history_id")
        .values("history_user_id")[:1]
    )
    # A note written since the record's last save is still open.
    open_notes = ReviewNote.objects.filter(
        content_type_id=content_type.pk,
        object_id=OuterRef("pk"),
        created_at__gte=OuterRef("updated_at"),
    )
    wanted = (
        Q(status=Status.IN_REVIEW)
        | Q(status=Status.DRAFT)
        & (Q(desk_by=user.pk, desk_sent_back_by_user=False) | Q(desk_sent_back_to_user=True))
        | Q(status=Status.PUBLISHED, updated_at__lt=stale_before)
    )
    return (
        model._default_manager.filter(editable_scope(model, allowed))
        .annotate(
            desk_by=last_saved_by,
            # Sent back to its editor: theirs, not the Publisher's, who saved it last.
            desk_sent_back_to_user=Exists(open_notes.filter(editor_id=user.pk)),
            desk_sent_back_by_user=Exists(open_notes.filter(written_by_id=user.pk)),
        )
        .filter(wanted)
        .annotate(
            desk_type=Value(index, output_field=IntegerField()),
            desk_id=F("pk"),
            desk_list=Case(
                When(status=Status.IN_REVIEW, then=Value("review")),
                When(status=Status.DRAFT, then=Value("draft")),
                default=Value("stale"),
                output_field=CharType(),
            ),
            desk_when=F("updated_at"),
        )
        .values_list("desk_type", "desk_id", "desk_list", "desk_when")
        .order_by()
    )


WINDOWED = """
SELECT desk_type, desk_id, desk_list, desk_when, list_count, type_count, shown FROM (
  SELECT u.*,
    COUNT(*) OVER (PARTITION BY desk_list) AS list_count,
    COUNT(*) OVER (PARTITION BY desk_list, desk_type) AS type_count,
    ROW_NUMBER() OVER (PARTITION BY desk_list, desk_type ORDER BY desk_when) AS type_row,
    CASE WHEN desk_list = 'draft'
      THEN ROW_NUMBER() OVER (PARTITION BY desk_list ORDER BY desk_when DESC, desk_type, desk_id)
      ELSE ROW_NUMBER() OVER (PARTITION BY desk_list ORDER BY desk_when, desk_type, desk_id)
    END AS shown
  FROM ({union}) u
) w
WHERE shown <= %s OR type_row = 1
"""


def _record_rows(user, allowed, types):
    """[(type index, id, list, when, list count, type count, position)] in one query."""
    stale_before = timezone.now() - timedelta(days=settings.PORTAL_STALE_AFTER_DAYS)
    content_types = ContentType.objects.get_for_models(*(t.model for t in types))
    parts = [
        _type_rows(i, t, content_types[t.model], user, allowed, stale_before)
        for i, t in enumerate(types)
    ]
    if not parts:
        return []
    union = parts[0].union(*parts[1:], all=True)
    sql, params = union.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(WINDOWED.format(union=sql), [*params, ROWS])
        return cursor.fetchall()


def _display_objects(rows, types):
    """{(type index, id): record} for the rows shown: one query per record type among them."""
    wanted = {}
    for type_index, pk, _list, _when, _lc, _tc, position in rows:
        if position <= ROWS:
            wanted.setdefault(type_index, set()).add(pk)
    objects = {}
    for type_index, ids in wanted.items():
        model = types[type_index].model
        parents = [f.name for f in model._meta.concrete_fields if f.many_to_one]
        found = model._default_manager.select_related(*parents).in_bulk(ids)
        for pk, record in found.items():
            objects[type_index, pk] = record
    return objects


def _url(model, view, *args):
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)
    except NoReverseMatch:
        return ""


def _notes(drafts):
    """{(content type id, record id): note} of the open send-back notes of shown drafts."""
    if not drafts:
        return {}
    rule = Q(pk__in=[])
    for content_type_id, record in drafts:
        rule |= Q(content_type_id=content_type_id, object_id=record.pk)
    notes = {}
    for note in ReviewNote.objects.filter(rule).order_by("created_at"):
        notes[note.content_type_id, note.object_id] = note
    return notes


def record_lists(user):
    allowed = assigned_country_ids(user)
    types = [t for t in record_types() if admin.site.is_registered(t.model)]
    rows = _record_rows(user, allowed, types)
    objects = _display_objects(rows, types)
    publisher = can_publish(user)
    lists = {key: DeskList(key, title) for key, title in LISTS.items()}
    stale_before = (timezone.now() - timedelta(days=settings.PORTAL_STALE_AFTER_DAYS)).date()
    filters = {
        "review": f"status__exact={Status.IN_REVIEW}",
        "draft": f"status__exact={Status.DRAFT}",
        "stale": f"status__exact={Status.PUBLISHED}&updated_at__date__lt={stale_before:%Y-%m-%d}",
    }
    seen_types = set()
    shown = []
    for type_index, pk, key, when, list_count, type_count, position in sorted(
        rows, key=lambda r: (r[2], r[6])
    ):
        desk_list = lists[key]
        desk_list.count = list_count
        model = types[type_index].model
        if (key, type_index) not in seen_types:
            seen_types.add((key, type_index))
            changelist = _url(model, "changelist")
            desk_list.by_type.append(
                (model._meta.verbose_name_plural, type_count, f"{changelist}?{filters[key]}")
            )
        record = objects.get((type_index, pk))
        if position > ROWS or record is None:
            continue
        view = "review" if key == "review" and publisher else "change"
        item = DeskItem(record, model._meta.verbose_name, _url(model, view, pk), when)
        desk_list.items.append(item)
        shown.append((key, model, item))
    drafts = [(item, model) for key, model, item in shown if key == "draft"]
    content_types = ContentType.objects.get_for_models(*{m for _i, m in drafts})
    notes = _notes([(content_types[m].pk, item.record) for item, m in drafts])
    for item, model in drafts:
        note = notes.get((content_types[model].pk, item.record.pk))
        if note is not None and note.created_at >= item.record.updated_at:
            item.note = note.note
    for desk_list in lists.values():
        desk_list.by_type.sort(key=lambda entry: str(entry[0]))
    return lists


def editor_desk(user):
    """Everything the desk shows for `user`, in a fixed number of queries."""
    lists = record_lists(user)
    suggestions = Suggestion.objects.visible_to(user).open()
    imports = ImportLog.objects.select_related("user")
    if not is_administrator(user):
        imports = imports.filter(user=user)
    return {
        "review": lists["review"],
        "drafts": lists["draft"],
        "stale": lists["stale"],
        "stale_days": settings.PORTAL_STALE_AFTER_DAYS,
        "publisher": can_publish(user),
        "suggestions": list(suggestions.order_by("created_at")[:ROWS]),
        "suggestion_count": suggestions.count(),
        "imports": list(imports[:5]),
        "import_count": imports.count(),
    }
