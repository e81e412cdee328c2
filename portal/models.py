"""Abstract building blocks shared by the record types of every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PublishableQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class RecordModel(models.Model):
    """A record the public may read: audit timestamps, publishing status and change history.

    Public views must read through `.published()`; drafts never reach the public.
    """

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
    history = HistoricalRecords(inherit=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Optimistic locking: every save of a stored record is a new version.
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED


class EditorProfile(models.Model):
    """The countries an editor is assigned to. Managed in the admin on the user's page."""

    user = models.OneToOneField(
        "auth.User",
        on_delete=models.CASCADE,
        related_name="editor_profile",
        verbose_name=_("user"),
    )
    countries = models.ManyToManyField(
        "profiles.Country",
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
