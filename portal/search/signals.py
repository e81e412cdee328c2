"""Keep the search index right on single-record changes (admin edits, publishing, withdrawing,
deletes, history reverts, relation changes). Bulk writers call `portal.search_index` themselves.

A record's row depends on the record and on a few related ones: its parents' status (a
country, a legal act), names copied into its text (a report's authors, a channel's organisation,
an initiative's country) and its countries (many-to-many). Each handler refreshes exactly the
rows concerned, in bulk, once the transaction commits (`refresh_on_commit`: every change of one
transaction, an admin save with its inlines or a request writing many records, makes one refresh
per type; a rollback leaves the index as it was). Raw saves (loaddata) are skipped:
`load_demo_data` rebuilds the index.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from laws.models import LegalAct, Provision
from library.models import Author, Authorship, Report, ReportTitle
from portal.search_index import refresh_on_commit
from profiles.models import Country, Initiative, Organisation, ReportingChannel

from .types import SEARCH_TYPES

KINDS = {t.model: t.key for t in SEARCH_TYPES}  # every searched model and its type key


def _refresh_all(kind, queryset):
    # The ids are read now: after the commit the relation may be gone (a deleted act).
    refresh_on_commit(kind, list(queryset.values_list("pk", flat=True)))


def record_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    refresh_on_commit(KINDS[sender], [instance.pk])
    if sender is Country:
        # Initiatives, channels and provisions are public only with a published country, and
        # initiatives and channels carry its name.
        _refresh_all("initiatives", Initiative.objects.filter(country_id=instance.pk))
        _refresh_all("channels", ReportingChannel.objects.filter(country_id=instance.pk))
        _refresh_all("provisions", Provision.objects.filter(country_id=instance.pk))
    elif sender is Author:
        _refresh_all("reports", Report.objects.filter(authorships__author_id=instance.pk))
    elif sender is Organisation:
        _refresh_all("channels", ReportingChannel.objects.filter(organisation_id=instance.pk))


def record_deleted(sender, instance, **kwargs):
    refresh_on_commit(KINDS[sender], [instance.pk])  # no longer found, so its row goes


def act_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    _refresh_all("provisions", Provision.objects.filter(act_id=instance.pk))


def report_part_changed(sender, instance, raw=False, **kwargs):
    """An authorship or an alternative title: part of the report's entry."""
    if raw:
        return
    refresh_on_commit("reports", [instance.report_id])


def _linked_ids(through, owner, instance):
    """Ids of the `owner` records linked to `instance` (the other side) through `through`."""
    columns = {f.related_model: f.attname for f in through._meta.fields if f.is_relation}
    mine, theirs = columns[type(instance)], columns[owner]
    return list(through.objects.filter(**{mine: instance.pk}).values_list(theirs, flat=True))


def countries_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Report.countries / Organisation.countries / Report.authors changed, from either side."""
    owner = Report if sender in (Report.countries.through, Authorship) else Organisation
    kind = KINDS[owner]
    if action == "pre_clear" and reverse:
        # Cleared from the other side (`country.reports.clear()`): Django passes no ids, so
        # note the linked records before the links go.
        instance._search_cleared_ids = _linked_ids(sender, owner, instance)
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh_on_commit(kind, [instance.pk])
    elif pk_set:
        refresh_on_commit(kind, pk_set)
    elif action == "post_clear":
        refresh_on_commit(kind, instance.__dict__.pop("_search_cleared_ids", ()))


def connect():
    for model in KINDS:
        uid = f"search_index_{model._meta.label_lower}"
        post_save.connect(record_saved, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(record_deleted, sender=model, dispatch_uid=f"{uid}_delete")
    post_save.connect(act_changed, sender=LegalAct, dispatch_uid="search_index_act_save")
    post_delete.connect(act_changed, sender=LegalAct, dispatch_uid="search_index_act_delete")
    for part in (Authorship, ReportTitle):
        uid = f"search_index_{part._meta.label_lower}"
        post_save.connect(report_part_changed, sender=part, dispatch_uid=f"{uid}_save")
        post_delete.connect(report_part_changed, sender=part, dispatch_uid=f"{uid}_delete")
    for through in (Report.countries.through, Organisation.countries.through, Authorship):
        m2m_changed.connect(
            countries_changed, sender=through, dispatch_uid=f"search_m2m_{through._meta.label}"
        )
