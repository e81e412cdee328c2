from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.models import PublishableQuerySet, RecordModel


class CountryManager(models.Manager.from_queryset(PublishableQuerySet)):
    def get_by_natural_key(self, iso_code):
        return self.get(iso_code=iso_code.upper())


class Country(RecordModel):
    iso_code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters, e.g. LT."))],
        help_text=_("ISO 3166-1 alpha-2 code in capitals, e.g. LT. Used in spreadsheets and URLs."),
    )
    name = models.CharField(
        _("name"), max_length=100, unique=True, help_text=_("Short English name, e.g. Lithuania.")
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Lower-case name for links, e.g. lithuania."),
    )
    region = models.CharField(
        _("region"),
        max_length=100,
        blank=True,
        help_text=_("Geographical region used to group countries, e.g. Northern Europe."),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("Two or three sentences shown on the country page.")
    )
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_("Date a researcher last checked this country's records against the sources."),
    )

    objects = CountryManager()

    class Meta:
        ordering = ("name",)
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.iso_code,)

    def get_absolute_url(self):
        return reverse("profiles:country-detail", kwargs={"iso_code": self.iso_code.lower()})
