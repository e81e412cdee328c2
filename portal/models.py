"""Abstract building blocks shared by the record types of every app."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoricalQuerySet
from simple_history.models import HistoricalRecords


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """Records whose own status is published (their parents may not be: see public())."""
        return self.filter(status=Status.PUBLISHED)

    def public(self):
        """The records the public may read: published, and every parent published too."""
        return self.filter(self.model.public_filter())

    def with_public(self, *relations):
        """Annotate `<relation>_is_public` for foreign keys to other records, so a page links a
        related record (or names it) only when the public may read it."""
        annotations = {}
        for name in relations:
            field = self.model._meta.get_field(name)
            public = field.related_model._default_manager.public()
            annotations[f"{name}_is_public"] = Exists(public.filter(pk=OuterRef(field.attname)))
        return self.annotate(**annotations)


class PublicHistoryQuerySet(HistoricalQuerySet):
    def public(self):
        """History entries the public may read (the change log): made while the record was
        published, of a record the public may read now, or of one deleted while it was.

        A deleted record's parents are checked as they are now, through the entry's own
        relations (the historical model has the record's foreign keys).
        """
        record = self.model.instance_type
        rule = record.public_filter()
        deleted = self.filter(rule, history_type="-").values("id")
        return self.filter(rule).filter(
            Q(id__in=record._default_manager.public().values("pk")) | Q(id__in=deleted)
        )


class EditConflict(Exception):
    """A save based on a version of the record that is not the stored one any more."""

    def __init__(self, record, based_on, stored):
        self.record, self.based_on, self.stored = record, based_on, stored
        super().__init__(
            f"{record._meta.verbose_name} {record.pk} was changed meanwhile "
            f"(version {based_on} → {stored}); nothing was saved."
        )


class RecordHistoryBase(models.Model):
    """Extra columns of every record's history entries."""

    history_children = models.JSONField(
        _("inline rows"),
        null=True,
        blank=True,
        editable=False,
        encoder=DjangoJSONEncoder,
        help_text=_(
            "The record's inline rows (penalties, authors in order, organisation roles, ...) as "
            "they were at this version; empty for versions recorded before rows were kept."
        ),
    )

    class Meta:
        abstract = True


# One HistoricalRecords for every record type, kept here so portal.history can write an entry
# itself (one per admin save, after the inline rows and many-to-many fields are stored).
RECORD_HISTORY = HistoricalRecords(
    inherit=True, bases=[RecordHistoryBase], historical_queryset=PublicHistoryQuerySet
)


class RecordModel(models.Model):
    """A record the public may read: audit timestamps, publishing status and change history.

    Public pages read through `.public()` (the records' querysets) and `public_filter()` (the
    same rule along a relation); drafts never reach the public. `public_parents` names the
    foreign keys to the records this one is shown under: it is public only while they are.
    """

    public_parents = ()

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.DRAFT,
        db_index=True,
        help_text=_("Only published records are shown to the public."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Counts saves; a form saved from an older version is refused (edit conflict)."),
    )
    history = RECORD_HISTORY
    # Reverse accessors of the rows an editor changes on the record's page (inlines) that are
    # part of the record: stored with every history entry and put back by a revert.
    history_children = ()

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """Optimistic locking on every write path: a save of a stored record is based on
        `self.version`; it is refused (EditConflict) when the stored row has another version,
        and otherwise stores the next version. The row stays locked until the transaction ends.
        """
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            stored = (
                type(self)
                ._base_manager.using(using)
                .select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored is not None and stored != self.version:
                raise EditConflict(self, self.version, stored)
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
            try:
                super().save(*args, **kwargs)
            except Exception:
                self.version -= 1
                raise

    @classmethod
    def public_filter(cls, path=""):
        """The public rule as a Q object, for this model reached through `path` ("" for the
        model itself, "act" from a provision, "authorships__author" from a report)."""
        prefix = f"{path}__" if path else ""
        rule = Q(**{f"{prefix}status": Status.PUBLISHED})
        for name in cls.public_parents:
            parent = cls._meta.get_field(name).related_model
            rule &= parent.public_filter(f"{prefix}{name}")
        return rule


class EditorProfile(models.Model):
    """The countries an editor is assigned to. Managed in the admin on the user's page."""

    user = models.OneToOneField(
        "auth.User",
        on_delete=models.CASCADE,
        related_name="editor_profile",
        verbose_name=_("user"),
    )
    countries = models.ManyToManyField(
        settings.PORTAL_COUNTRY_MODEL,
        blank=True,
        related_name="editors",
        verbose_name=_("assigned countries"),
        help_text=_("The editor may add and change the records of these countries only."),
    )

    class Meta:
        verbose_name = _("editor profile")
        verbose_name_plural = _("editor profiles")
        permissions = [("publish_records", "Can publish and withdraw records")]

    def __str__(self):
        return f"Countries of {self.user}"


class ImportLog(models.Model):
    """One spreadsheet import: who imported which file, when, and what it did (portal.bulk)."""

    class Source(models.TextChoices):
        ADMIN = "admin", _("Admin")
        COMMAND = "command", _("Command line")

    user = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_logs",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    filename = models.CharField(_("file"), max_length=255)
    record_types = models.CharField(
        _("record types"), max_length=300, help_text=_("The sheets or record type imported.")
    )
    source = models.CharField(_("from"), max_length=10, choices=Source.choices)
    written = models.BooleanField(
        _("written"), help_text=_("False when the file was refused: then nothing was written.")
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    invalid = models.PositiveIntegerField(_("invalid"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    problems = models.TextField(_("problems"), blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("import log entry")
        verbose_name_plural = _("import log")

    def __str__(self):
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"


class SuggestionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Suggestion.State.NEW)

    def visible_to(self, user):
        """The suggestions `user` may read: those about records tied to one of their countries,
        and those about shared reference data (no country), which any editor may change.
        Administrators read every one."""
        from .permissions import assigned_country_ids

        allowed = assigned_country_ids(user)
        if allowed is None:
            return self
        through = Suggestion.countries.through.objects.filter(suggestion_id=models.OuterRef("pk"))
        return self.filter(Exists(through.filter(country_id__in=allowed)) | ~Exists(through))


class Suggestion(models.Model):
    """A reader's correction to a public record (or to one section of a country page).

    Never public: readers write them through the form, editors of the record's countries read
    and decide them in the admin. The reader's texts are plain text everywhere they are shown.
    """

    class State(models.TextChoices):
        NEW = "new", _("New")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate")

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, verbose_name=_("record type")
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    section = models.CharField(
        _("country page section"),
        max_length=60,
        blank=True,
        help_text=_("The section of the country page the reader wrote about, if any."),
    )
    record_label = models.CharField(
        _("record"), max_length=300, help_text=_("The record's name when the reader wrote.")
    )
    countries = models.ManyToManyField(
        settings.PORTAL_COUNTRY_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("countries"),
        help_text=_("The record's countries when the reader wrote: their editors decide it."),
    )
    problem = models.TextField(_("what is wrong"), max_length=2000)
    proposed_text = models.TextField(_("proposed text"), max_length=4000, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    email = models.EmailField(
        _("reader's e-mail"),
        blank=True,
        help_text=_("Given for a reply: the reader is told the decision. Never shown publicly."),
    )
    # An HMAC of the reader's address, never the address: the per-address limit counts these
    # when the cache cannot (portal.suggestions).
    address_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=State.choices, default=State.NEW, db_index=True
    )
    note = models.TextField(
        _("editor's note"),
        max_length=2000,
        blank=True,
        help_text=_("Why it was accepted, rejected or a duplicate; sent to the reader."),
    )
    decided_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reader_told_at = models.DateTimeField(_("reader told"), null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("content_type", "object_id"))]
        verbose_name = _("suggested correction")
        verbose_name_plural = _("suggested corrections")

    def __str__(self):
        return f"Correction to {self.record_label} ({self.created_at:%Y-%m-%d})"


class ReviewNote(models.Model):
    """A Publisher's note on sending a record in review back to its editor, shown on the
    editor's desk until the record is saved again."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, verbose_name=_("record type")
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    note = models.TextField(_("note"), max_length=2000)
    editor = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent back to"),
    )
    written_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("content_type", "object_id", "created_at"))]
        verbose_name = _("review note")
        verbose_name_plural = _("review notes")

    def __str__(self):
        return f"Review note ({self.created_at:%Y-%m-%d})"
