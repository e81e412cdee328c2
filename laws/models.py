"""Legislation: legal ages, definitions, international instruments, acts, provisions, penalties.

Conventions used by the numbers stored here:
- Ages are in completed years. A ChildDefinition covers the ages `a` with
  `min_age <= a < max_age` (min inclusive, max exclusive; either bound may be empty = open).
- Penalty terms are stored in months (`min_months`, `max_months`), so "up to two years" is 24
  and six months is 6. Pages show them in years when they are whole years.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.models import PublishableQuerySet, RecordModel

SOURCE_HELP = _(
    "Where this fact comes from: the publication or official text, with a URL if there is one."
)


def source_field():
    return models.CharField(_("source"), max_length=500, blank=True, help_text=SOURCE_HELP)


# --- topics -------------------------------------------------------------------------------------


class TopicQuerySet(PublishableQuerySet):
    pass


class TopicManager(models.Manager.from_queryset(TopicQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Topic(RecordModel):
    """A managed subject list for provisions (sexual violence, cybercrime, ...)."""

    country_field = None

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Short name shown on pages and in filters, e.g. Sexual violence."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Lower-case identifier used in spreadsheets and links, e.g. sexual-violence."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Optional: what the topic covers.")
    )

    objects = TopicManager()

    class Meta:
        ordering = ("name",)
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


# --- legal ages and definitions -----------------------------------------------------------------


class CountryQuerySet(PublishableQuerySet):
    def for_country(self, country):
        return self.filter(country=country)


class LegalAgeManager(models.Manager.from_queryset(CountryQuerySet)):
    def get_by_natural_key(self, iso_code, kind):
        return self.get(country__iso_code=iso_code.upper(), kind=kind)


class LegalAge(RecordModel):
    class Kind(models.TextChoices):
        MAJORITY = "majority", _("Age of majority")
        MARRIAGE = "marriage", _("Marriage")
        SEXUAL_CONSENT = "sexual_consent", _("Sexual consent")

    country_field = "country"
    public_parents = ("country",)

    country = models.ForeignKey(
        "profiles.Country",
        on_delete=models.CASCADE,
        related_name="legal_ages",
        verbose_name=_("country"),
        help_text=_("The country whose law sets this age."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=32,
        choices=Kind.choices,
        help_text=_("Which legal age this is. One record per country and kind."),
    )
    age = models.PositiveSmallIntegerField(
        _("age"), help_text=_("The general rule, in completed years, e.g. 18.")
    )
    lowered_age = models.PositiveSmallIntegerField(
        _("lowest age by exception"),
        null=True,
        blank=True,
        help_text=_(
            "Only if the law names one: the age an exception may lower it to (e.g. 15 by court "
            "decision). Leave empty when no such age is known."
        ),
    )
    exceptions = models.TextField(
        _("exceptions"),
        blank=True,
        help_text=_("Exceptions to the general rule, in plain words, as the source states them."),
    )
    source = source_field()

    objects = LegalAgeManager()

    class Meta:
        ordering = ("country__name", "kind")
        verbose_name = _("legal age")
        verbose_name_plural = _("legal ages")
        constraints = [
            models.UniqueConstraint(fields=("country", "kind"), name="laws_legalage_unique_kind")
        ]

    def __str__(self):
        return f"{self.country}: {self.get_kind_display()} {self.age}"

    def natural_key(self):
        return (*self.country.natural_key(), self.kind)

    natural_key.dependencies = ["profiles.country"]

    def clean(self):
        super().clean()
        if self.lowered_age is not None and self.age is not None and self.lowered_age > self.age:
            raise ValidationError(
                {"lowered_age": _("The age an exception allows cannot be above the general age.")}
            )


class ChildDefinitionManager(models.Manager.from_queryset(CountryQuerySet)):
    def get_by_natural_key(self, iso_code, term):
        return self.get(country__iso_code=iso_code.upper(), term=term)


class ChildDefinition(RecordModel):
    """A legal category of young people defined by age bounds: min inclusive, max exclusive."""

    country_field = "country"
    public_parents = ("country",)

    country = models.ForeignKey(
        "profiles.Country",
        on_delete=models.CASCADE,
        related_name="child_definitions",
        verbose_name=_("country"),
        help_text=_("The country whose law defines the term."),
    )
    act = models.ForeignKey(
        "laws.LegalAct",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="definitions",
        verbose_name=_("act"),
        help_text=_("The act that uses this definition, e.g. the Criminal Code."),
    )
    term = models.CharField(
        _("term"), max_length=100, help_text=_("The term as the law uses it, e.g. young child.")
    )
    min_age = models.PositiveSmallIntegerField(
        _("from age (inclusive)"),
        null=True,
        blank=True,
        help_text=_("Lowest age included, in completed years. Empty = from birth. Minor: 14."),
    )
    max_age = models.PositiveSmallIntegerField(
        _("under age (exclusive)"),
        null=True,
        blank=True,
        help_text=_(
            "First age NOT included: 'under 10' is 10; 'between 14 and 18' is 18. "
            "Empty = no upper bound."
        ),
    )
    definition = models.TextField(
        _("definition"), blank=True, help_text=_("The definition as the source words it.")
    )
    source = source_field()

    objects = ChildDefinitionManager()

    class Meta:
        ordering = ("country__name", models.F("max_age").asc(nulls_last=True), "term")
        verbose_name = _("legal definition")
        verbose_name_plural = _("legal definitions")
        constraints = [
            models.UniqueConstraint(fields=("country", "term"), name="laws_definition_unique_term"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lt=models.F("max_age")),
                name="laws_definition_bounds_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.country}: {self.term} ({self.age_range})"

    def natural_key(self):
        return (*self.country.natural_key(), self.term)

    natural_key.dependencies = ["profiles.country"]

    def clean(self):
        super().clean()
        if self.min_age is not None and self.max_age is not None and self.min_age >= self.max_age:
            raise ValidationError({"max_age": _("Must be above the 'from age'.")})
        if self.act_id and self.country_id and self.act.country_id != self.country_id:
            raise ValidationError({"act": _("The act must belong to the same country.")})

    @property
    def age_range(self):
        if self.min_age is None and self.max_age is None:
            return "any age"
        if self.min_age is None:
            return f"under {self.max_age}"
        if self.max_age is None:
            return f"{self.min_age} and over"
        return f"{self.min_age} to under {self.max_age}"

    def includes_age(self, age):
        return (self.min_age is None or age >= self.min_age) and (
            self.max_age is None or age < self.max_age
        )


# --- international instruments ------------------------------------------------------------------


class InstrumentManager(models.Manager.from_queryset(PublishableQuerySet)):
    def get_by_natural_key(self, short_name):
        return self.get(short_name=short_name)


class Instrument(RecordModel):
    class Kind(models.TextChoices):
        CONVENTION = "convention", _("Convention")
        DIRECTIVE = "directive", _("Directive")
        PROTOCOL = "protocol", _("Protocol")
        RECOMMENDATION = "recommendation", _("Recommendation")
        OTHER = "other", _("Other")

    class Body(models.TextChoices):
        COUNCIL_OF_EUROPE = "coe", _("Council of Europe")
        EU = "eu", _("European Union")
        UN = "un", _("United Nations")
        OTHER = "other", _("Other")

    country_field = None

    short_name = models.CharField(
        _("short name"),
        max_length=100,
        unique=True,
        help_text=_(
            "Unique name used in spreadsheets and table headings, e.g. Convention on Cybercrime."
        ),
    )
    title = models.CharField(_("full title"), max_length=500, help_text=_("The official title."))
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, help_text=_("Type of instrument.")
    )
    body = models.CharField(
        _("body"),
        max_length=20,
        choices=Body.choices,
        help_text=_("The organisation that adopted the instrument."),
    )
    year_adopted = models.PositiveSmallIntegerField(
        _("year adopted"),
        null=True,
        blank=True,
        help_text=_("Year of adoption. Leave empty unless you are sure."),
    )
    summary = models.TextField(_("summary"), blank=True, help_text=_("Optional: what it covers."))

    objects = InstrumentManager()

    class Meta:
        ordering = ("body", "short_name")
        verbose_name = _("international instrument")
        verbose_name_plural = _("international instruments")

    def __str__(self):
        return self.short_name

    def natural_key(self):
        return (self.short_name,)


class DatePrecision(models.TextChoices):
    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


class InstrumentStatusManager(models.Manager.from_queryset(CountryQuerySet)):
    def get_by_natural_key(self, iso_code, short_name, status_kind):
        return self.get(
            country__iso_code=iso_code.upper(),
            instrument__short_name=short_name,
            status_kind=status_kind,
        )


class CountryInstrumentStatus(RecordModel):
    """One step (signed, ratified, in force, transposed) a country took on an instrument."""

    class Step(models.TextChoices):
        # Declared in the order the steps usually happen: the matrix shows the furthest one.
        SIGNED = "signed", _("Signed")
        RATIFIED = "ratified", _("Ratified")
        IN_FORCE = "in_force", _("In force")
        TRANSPOSED = "transposed", _("Transposed")

    country_field = "country"
    public_parents = ("country", "instrument")

    country = models.ForeignKey(
        "profiles.Country",
        on_delete=models.CASCADE,
        related_name="instrument_statuses",
        verbose_name=_("country"),
        help_text=_("The country that took this step."),
    )
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        related_name="country_statuses",
        verbose_name=_("instrument"),
        help_text=_("The convention, directive or protocol."),
    )
    status_kind = models.CharField(
        _("step"),
        max_length=20,
        choices=Step.choices,
        help_text=_(
            "Signed, ratified, in force (entered into law) or transposed (EU directives). "
            "Add one record per step."
        ),
    )
    date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_(
            "When the step happened. With precision 'month' enter the 1st of the month, with "
            "'year' the 1st of January. Leave empty when the source gives no date."
        ),
    )
    date_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        help_text=_("How much of the date the source gives: 'July 2004' is a month."),
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("How the step was taken, caveats about the source.")
    )
    source = source_field()

    objects = InstrumentStatusManager()

    class Meta:
        ordering = ("country__name", "instrument__short_name", "status_kind")
        verbose_name = _("country instrument status")
        verbose_name_plural = _("country instrument statuses")
        constraints = [
            models.UniqueConstraint(
                fields=("country", "instrument", "status_kind"), name="laws_status_unique_step"
            )
        ]

    def __str__(self):
        return f"{self.country}: {self.instrument} {self.get_status_kind_display().lower()}"

    def natural_key(self):
        return (*self.country.natural_key(), *self.instrument.natural_key(), self.status_kind)

    natural_key.dependencies = ["profiles.country", "laws.instrument"]

    @property
    def step_rank(self):
        return list(self.Step.values).index(self.status_kind)

    def clean(self):
        super().clean()
        if self.date and not self.date_precision:
            raise ValidationError({"date_precision": _("Say how precise the date is.")})
        if self.date_precision and not self.date:
            raise ValidationError({"date": _("A precision needs a date.")})
        if self.date and self.date_precision == DatePrecision.MONTH and self.date.day != 1:
            raise ValidationError({"date": _("With month precision, use the 1st of the month.")})
        if (
            self.date
            and self.date_precision == DatePrecision.YEAR
            and (self.date.month, self.date.day) != (1, 1)
        ):
            raise ValidationError({"date": _("With year precision, use the 1st of January.")})

    @property
    def date_display(self):
        if not self.date:
            return ""
        if self.date_precision == DatePrecision.YEAR:
            return f"{self.date:%Y}"
        if self.date_precision == DatePrecision.MONTH:
            return f"{self.date:%B %Y}"
        return f"{self.date.day} {self.date:%B %Y}"

    @property
    def date_iso(self):
        """The date at its precision, for <time datetime>: 2004-07, 2013, 2004-07-01."""
        if not self.date:
            return ""
        if self.date_precision == DatePrecision.YEAR:
            return f"{self.date:%Y}"
        if self.date_precision == DatePrecision.MONTH:
            return f"{self.date:%Y-%m}"
        return self.date.isoformat()


# --- acts, provisions, penalties ----------------------------------------------------------------


class LegalActManager(models.Manager.from_queryset(CountryQuerySet)):
    def get_by_natural_key(self, iso_code, title):
        return self.get(country__iso_code=iso_code.upper(), title=title)


class LegalAct(RecordModel):
    class Kind(models.TextChoices):
        CODE = "code", _("Code")
        LAW = "law", _("Law")
        REGULATION = "regulation", _("Regulation")
        OTHER = "other", _("Other")

    country_field = "country"
    public_parents = ("country",)

    country = models.ForeignKey(
        "profiles.Country",
        on_delete=models.CASCADE,
        related_name="legal_acts",
        verbose_name=_("country"),
        help_text=_("The country whose act this is."),
    )
    title = models.CharField(
        _("title"),
        max_length=300,
        help_text=_(
            "Full English title, unique within the country; spreadsheets use it to name the act."
        ),
    )
    short_title = models.CharField(
        _("short title"),
        max_length=100,
        blank=True,
        help_text=_("Optional shorter name used in lists, e.g. Minor Protection Law."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Used in links; start with the ISO code, e.g. lt-criminal-code."),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, help_text=_("A code or a law.")
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("Optional: what the act does as a whole.")
    )
    source = source_field()

    objects = LegalActManager()

    class Meta:
        ordering = ("country__name", "kind", "title")
        verbose_name = _("legal act")
        verbose_name_plural = _("legal acts")
        constraints = [
            models.UniqueConstraint(fields=("country", "title"), name="laws_act_unique_title")
        ]

    def __str__(self):
        return f"{self.display_title} ({self.country})" if self.country_id else self.display_title

    @property
    def display_title(self):
        return self.short_title or self.title

    def natural_key(self):
        return (*self.country.natural_key(), self.title)

    natural_key.dependencies = ["profiles.country"]


_CHAPTER = re.compile(r"^\s*(chapter|ch\.?)\s*", re.IGNORECASE)
_ARTICLE = re.compile(r"^\s*(article|art\.?)\s*", re.IGNORECASE)
_SECTION = re.compile(r"^\s*(section|§)\s*", re.IGNORECASE)
_RUNS = re.compile(r"(\d+)")


def _natural(text):
    """'151.1' -> '000151.000001': digit runs padded so text order is number order."""
    parts = _RUNS.split(text.strip().lower())
    return "".join(f"{int(p):06d}" if p.isdigit() else p for p in parts)


def provision_sort_key(number):
    """Sort key for a provision number kept as written.

    Articles (bare numbers or "Article N") come first in number order, 149 < 150 < 151 < 151.1
    < 153 < 309; then sections, then chapters in number order ("Chapter 9" < "Chapter 30");
    then anything else alphabetically; a provision without a number (a whole act) last.
    """
    if not number or not number.strip():
        return "9"
    for prefix, pattern in (("2", _SECTION), ("3", _CHAPTER), ("1", _ARTICLE)):
        match = pattern.match(number)
        if match:
            return prefix + _natural(number[match.end() :])
    if number.strip()[0].isdigit():
        return "1" + _natural(number)
    return "4" + _natural(number)


def provision_slug(number, title=""):
    """'151.1' -> '151-1', 'Chapter 30' -> 'chapter-30'; no number: from the title."""
    text = number.strip() if number and number.strip() else title
    return slugify(text.replace(".", "-").replace("/", "-"))[:100] or "provision"


class ProvisionQuerySet(PublishableQuerySet):
    def for_country(self, country):
        return self.filter(country=country)

    def with_max_imprisonment(self):
        """Annotate `max_imprisonment_months`: the longest prison term of any penalty row."""
        return self.annotate(
            max_imprisonment_months=Max(
                "penalties__max_months",
                filter=Q(penalties__sanction=PenaltyRow.Sanction.IMPRISONMENT),
            )
        )

    def max_imprisonment_at_least_months(self, months):
        """Provisions allowing a prison term of `months` or more under some condition."""
        return self.filter(
            Exists(
                PenaltyRow.objects.filter(
                    provision=OuterRef("pk"),
                    sanction=PenaltyRow.Sanction.IMPRISONMENT,
                    max_months__gte=months,
                )
            )
        )

    def with_sanction(self, sanction):
        return self.filter(
            Exists(PenaltyRow.objects.filter(provision=OuterRef("pk"), sanction=sanction))
        )

    def aggravated_for_child_victims(self):
        """Provisions with a heavier penalty row when the victim (or the person shown) is a child
        or a minor."""
        return self.filter(
            Exists(
                PenaltyRow.objects.filter(
                    provision=OuterRef("pk"), condition__in=PenaltyRow.CHILD_CONDITIONS
                )
            )
        )


class ProvisionManager(models.Manager.from_queryset(ProvisionQuerySet)):
    def get_by_natural_key(self, iso_code, act_title, number):
        return self.get(country__iso_code=iso_code.upper(), act__title=act_title, number=number)


class Provision(RecordModel):
    """An article or chapter of an act. `sort_key` and `slug` derive from `number` in clean()
    (the admin, imports and services all call full_clean())."""

    _history_m2m_fields = ("topics",)
    history_children = ("penalties",)
    country_field = "country"
    public_parents = ("act",)

    act = models.ForeignKey(
        LegalAct,
        on_delete=models.CASCADE,
        related_name="provisions",
        verbose_name=_("act"),
        help_text=_("The act this article or chapter belongs to."),
    )
    country = models.ForeignKey(
        "profiles.Country",
        on_delete=models.CASCADE,
        related_name="provisions",
        verbose_name=_("country"),
        editable=False,
        help_text=_("Copied from the act; used for filters and editor permissions."),
    )
    number = models.CharField(
        _("number"),
        max_length=50,
        blank=True,
        help_text=_(
            "As written in the law: 151.1 for an article, 'Chapter 30' for a chapter. Leave "
            "empty for a whole act without article numbers."
        ),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        blank=True,
        help_text=_("Used in the link; filled from the number when empty (151.1 becomes 151-1)."),
    )
    sort_key = models.CharField(
        _("sort key"),
        max_length=120,
        editable=False,
        db_index=True,
        help_text=_("Computed from the number so 151 < 151.1 < 153 < 309."),
    )
    title = models.CharField(_("title"), max_length=300, help_text=_("The heading, e.g. Rape."))
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("What the provision makes an offence or requires, in plain words."),
    )
    penalty_note = models.TextField(
        _("penalty note"),
        blank=True,
        help_text=_("Optional: anything about the penalties the penalty rows cannot express."),
    )
    topics = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="provisions",
        verbose_name=_("topics"),
        help_text=_("Subjects from the managed topic list; used by the filters and comparison."),
    )
    source = source_field()

    objects = ProvisionManager()

    class Meta:
        ordering = ("act_id", "sort_key")
        verbose_name = _("provision")
        verbose_name_plural = _("provisions")
        constraints = [
            models.UniqueConstraint(fields=("act", "number"), name="laws_provision_unique_number"),
            models.UniqueConstraint(fields=("act", "slug"), name="laws_provision_unique_slug"),
        ]

    def __str__(self):
        return f"{self.label}, {self.act.display_title}" if self.act_id else self.label

    def natural_key(self):
        return (*self.country.natural_key(), self.act.title, self.number)

    natural_key.dependencies = ["profiles.country", "laws.legalact"]

    def clean(self):
        super().clean()
        # The act may be an unsaved parent (admin inline on a new act): read the cached object.
        if self.act_id or Provision.act.is_cached(self):
            self.country_id = self.act.country_id
        self.sort_key = provision_sort_key(self.number)
        if not self.slug:
            self.slug = provision_slug(self.number, self.title)

    @property
    def label(self):
        """'Article 151.1', 'Chapter 30', or the title for an unnumbered provision."""
        number = (self.number or "").strip()
        if not number:
            return self.title
        if number[0].isdigit():
            return f"Article {number}"
        return number

    def get_absolute_url(self):
        return reverse("laws:provision-detail", kwargs={"act": self.act.slug, "slug": self.slug})


class PenaltyRow(models.Model):
    """One sanction a provision allows under one condition.

    Rows with the same provision and `option_set` are alternatives the court chooses from, e.g.
    "a fine or restriction of liberty, arrest or imprisonment for up to two years" is four rows
    (fine; restriction of liberty; arrest; imprisonment max 24 months) in one option set.
    Terms are in months.
    """

    class Sanction(models.TextChoices):
        FINE = "fine", _("Fine")
        COMMUNITY_SERVICE = "community_service", _("Community service")
        RESTRICTION_OF_LIBERTY = "restriction_of_liberty", _("Restriction of liberty")
        ARREST = "arrest", _("Arrest")
        IMPRISONMENT = "imprisonment", _("Imprisonment")

    class Condition(models.TextChoices):
        BASE = "base", _("Base offence")
        VICTIM_MINOR = "victim_minor", _("Victim a minor")
        VICTIM_CHILD = "victim_child", _("Victim a child")
        CHILD_DEPICTED = "child_depicted", _("Material showing a child")
        JOINTLY = "jointly", _("Committed jointly")
        LARGE_QUANTITY = "large_quantity", _("Large quantity")
        IN_MEDIA = "in_media", _("In the media")
        MISDEMEANOUR = "misdemeanour", _("Misdemeanour")
        OTHER = "other", _("Other aggravating circumstance")

    CHILD_CONDITIONS = (Condition.VICTIM_MINOR, Condition.VICTIM_CHILD, Condition.CHILD_DEPICTED)

    provision = models.ForeignKey(
        Provision,
        on_delete=models.CASCADE,
        related_name="penalties",
        verbose_name=_("provision"),
    )
    option_set = models.PositiveSmallIntegerField(
        _("option set"),
        default=1,
        help_text=_(
            "Rows with the same number are alternatives for one condition (a fine OR arrest OR "
            "imprisonment). Number the sets 1, 2, 3 in the order the law lists them."
        ),
    )
    condition = models.CharField(
        _("condition"),
        max_length=20,
        choices=Condition.choices,
        default=Condition.BASE,
        help_text=_("When this penalty applies; give the same condition to every row of a set."),
    )
    condition_note = models.CharField(
        _("condition details"),
        max_length=300,
        blank=True,
        help_text=_("The condition in the law's words when the choice alone is not enough."),
    )
    sanction = models.CharField(
        _("sanction"), max_length=30, choices=Sanction.choices, help_text=_("Type of sanction.")
    )
    min_months = models.PositiveSmallIntegerField(
        _("minimum term (months)"),
        null=True,
        blank=True,
        help_text=_("In months: 3 years = 36. Empty when the law sets no minimum."),
    )
    max_months = models.PositiveSmallIntegerField(
        _("maximum term (months)"),
        null=True,
        blank=True,
        help_text=_("In months: up to 7 years = 84. Empty when the source gives no term."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("provision_id", "option_set", "id")
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_months__isnull=True)
                | Q(max_months__isnull=True)
                | Q(min_months__lte=models.F("max_months")),
                name="laws_penalty_terms_ordered",
            )
        ]

    def __str__(self):
        return f"{self.get_condition_display()}: {self.term_display}"

    def clean(self):
        super().clean()
        if (
            self.min_months is not None
            and self.max_months is not None
            and self.min_months > self.max_months
        ):
            raise ValidationError({"max_months": _("The maximum cannot be below the minimum.")})

    @property
    def term_display(self):
        """'imprisonment for 3 to 10 years', 'imprisonment for up to 7 years', 'fine'."""
        name = self.get_sanction_display().lower()
        lo, hi = self.min_months, self.max_months
        if lo is None and hi is None:
            return name
        if lo is None:
            return f"{name} for up to {months_display(hi)}"
        if hi is None:
            return f"{name} for at least {months_display(lo)}"
        if lo % 12 == 0 and hi % 12 == 0:
            return f"{name} for {lo // 12} to {months_display(hi)}"
        return f"{name} for {months_display(lo)} to {months_display(hi)}"


def months_display(months):
    if months is None:
        return ""
    if months % 12 == 0:
        years = months // 12
        return f"{years} year" if years == 1 else f"{years} years"
    return f"{months} month" if months == 1 else f"{months} months"


def group_penalties(rows):
    """Penalty rows of one provision, in order -> one dict per option set."""
    groups = []
    current = None
    for row in rows:
        if current is None or current[0] != row.option_set:
            current = [row.option_set, row.get_condition_display(), row.condition_note, []]
            groups.append(current)
        current[3].append(row)
    return [
        {
            "condition": label,
            "note": note,
            "rows": items,
            "text": join_alternatives([r.term_display for r in items]),
        }
        for _, label, note, items in groups
    ]


def join_alternatives(parts):
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " or " + parts[-1]


# --- benchmark frameworks and assessments -------------------------------------------------------


class FrameworkManager(models.Manager.from_queryset(PublishableQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Framework(RecordModel):
    """A published standard a country's law is assessed against (a model law, a convention)."""

    country_field = None

    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        help_text=_("The framework's name in our own words, e.g. ICMEC model legislation on CSAM."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Used in links and spreadsheets, e.g. icmec-csam-model-legislation."),
    )
    publisher = models.CharField(
        _("publisher"),
        max_length=200,
        help_text=_("Who publishes the standard, e.g. Council of Europe."),
    )
    edition = models.CharField(
        _("edition"),
        max_length=200,
        blank=True,
        help_text=_(
            "The edition the criteria follow, as the publisher names it, e.g. 9th edition."
        ),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        help_text=_("Year of that edition. Leave empty unless you are sure."),
    )
    url = models.URLField(
        _("URL"), max_length=500, blank=True, help_text=_("The publisher's page of the standard.")
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What the framework measures and how we read it, in our own words."),
    )

    objects = FrameworkManager()

    class Meta:
        ordering = ("name",)
        verbose_name = _("benchmark framework")
        verbose_name_plural = _("benchmark frameworks")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("laws:framework-detail", kwargs={"slug": self.slug})


class CriterionManager(models.Manager.from_queryset(PublishableQuerySet)):
    def get_by_natural_key(self, framework_slug, short_label):
        return self.get(framework__slug=framework_slug, short_label=short_label)


class Criterion(RecordModel):
    """One criterion of a framework, shown as a column of its matrix, in `order`."""

    country_field = None
    public_parents = ("framework",)

    framework = models.ForeignKey(
        Framework,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("framework"),
        help_text=_("The framework this criterion belongs to."),
    )
    order = models.PositiveSmallIntegerField(
        _("order"), default=1, help_text=_("Position in the framework: 1, 2, 3 ...")
    )
    short_label = models.CharField(
        _("short label"),
        max_length=100,
        help_text=_(
            "Column heading, unique within the framework; spreadsheets use it to name the "
            "criterion, e.g. Possession."
        ),
    )
    wording = models.TextField(
        _("full wording"),
        help_text=_("What a country's law must do to meet it, in our own words."),
    )
    group = models.CharField(
        _("group"),
        max_length=100,
        blank=True,
        help_text=_("Optional: a heading criteria are grouped under, e.g. Offences."),
    )

    objects = CriterionManager()

    class Meta:
        ordering = ("framework_id", "order", "id")
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(
                fields=("framework", "short_label"), name="laws_criterion_unique_label"
            )
        ]

    def __str__(self):
        return f"{self.framework}: {self.short_label}" if self.framework_id else self.short_label

    def natural_key(self):
        return (*self.framework.natural_key(), self.short_label)

    natural_key.dependencies = ["laws.framework"]


class Answer(models.TextChoices):
    MEETS = "meets", _("Meets")
    PARTLY = "partly", _("Partly meets")
    DOES_NOT = "does_not", _("Does not meet")
    NOT_STATED = "not_stated", _("Not stated in our sources")


# An answer other than "not stated" is a claim about the law: it needs evidence.
ANSWERS_NEEDING_EVIDENCE = (Answer.MEETS, Answer.PARTLY, Answer.DOES_NOT)


# The record types an assessment's evidence may be (each has an `assessments` relation).
EVIDENCE_MODELS = (Provision, CountryInstrumentStatus, ChildDefinition)


class AssessmentQuerySet(CountryQuerySet):
    def with_problems(self):
        """Annotate the consistency flags an editor sees (`problem_labels()` reads them):
        `no_evidence` (an answer that needs evidence has none), `evidence_hidden` (evidence
        the public may not read: a draft, a withdrawn record, or under one), `evidence_foreign`
        (evidence of another country) and `evidence_newer` (evidence changed after the
        assessment was last saved)."""

        def any_evidence(condition=None, exclude=None):
            found = None
            for model in EVIDENCE_MODELS:
                rows = model._default_manager.filter(condition or Q(), assessments=OuterRef("pk"))
                if exclude is not None:
                    rows = rows.exclude(exclude(model))
                found = Exists(rows) if found is None else found | Exists(rows)
            return found

        def flag(condition):
            return models.ExpressionWrapper(condition, output_field=models.BooleanField())

        return self.annotate(
            no_evidence=flag(Q(answer__in=ANSWERS_NEEDING_EVIDENCE) & ~any_evidence()),
            evidence_hidden=flag(any_evidence(exclude=lambda model: model.public_filter())),
            evidence_foreign=flag(
                any_evidence(exclude=lambda model: Q(country=OuterRef("country")))
            ),
            evidence_newer=flag(any_evidence(Q(updated_at__gt=OuterRef("updated_at")))),
        )

    def with_problem(self, name):
        return self.with_problems().filter(**{name: True})

    def without_problems(self):
        return self.with_problems().filter(**dict.fromkeys(PROBLEMS, False))


PROBLEMS = {
    "no_evidence": _("answer without evidence"),
    "evidence_hidden": _("evidence not public (draft or withdrawn)"),
    "evidence_foreign": _("evidence of another country"),
    "evidence_newer": _("evidence changed since the assessment"),
}


class AssessmentManager(models.Manager.from_queryset(AssessmentQuerySet)):
    def get_by_natural_key(self, iso_code, framework_slug, short_label):
        return self.get(
            country__iso_code=iso_code.upper(),
            criterion__framework__slug=framework_slug,
            criterion__short_label=short_label,
        )


class Assessment(RecordModel):
    """Where one country's law stands on one criterion, and the records that prove it."""

    _history_m2m_fields = ("provisions", "instrument_statuses", "definitions")
    country_field = "country"
    public_parents = ("country", "criterion")

    country = models.ForeignKey(
        "profiles.Country",
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("country"),
        help_text=_("The country whose law is assessed."),
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("criterion"),
        help_text=_("The framework's criterion. One assessment per country and criterion."),
    )
    answer = models.CharField(
        _("answer"),
        max_length=20,
        choices=Answer.choices,
        default=Answer.NOT_STATED,
        help_text=_(
            "Meets, partly meets or does not meet: only what the evidence below shows. When our "
            "sources say nothing either way, keep 'Not stated in our sources'."
        ),
    )
    provisions = models.ManyToManyField(
        Provision,
        blank=True,
        related_name="assessments",
        verbose_name=_("evidence: provisions"),
        help_text=_("The articles that support the answer, of the same country."),
    )
    instrument_statuses = models.ManyToManyField(
        CountryInstrumentStatus,
        blank=True,
        related_name="assessments",
        verbose_name=_("evidence: instrument statuses"),
        help_text=_("Signatures, ratifications or transpositions that support the answer."),
    )
    definitions = models.ManyToManyField(
        ChildDefinition,
        blank=True,
        related_name="assessments",
        verbose_name=_("evidence: legal definitions"),
        help_text=_("Legal definitions (child, minor) that support the answer."),
    )
    reasoning = models.TextField(
        _("reasoning"),
        blank=True,
        help_text=_(
            "Why the evidence gives this answer, in one or two sentences; say what the sources "
            "do not state."
        ),
    )
    as_of = models.DateField(
        _("as of"),
        null=True,
        blank=True,
        help_text=_("The date the answer describes the law at (usually the source's date)."),
    )
    source = source_field()

    objects = AssessmentManager()

    class Meta:
        ordering = ("country__name", "criterion__framework__name", "criterion__order")
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=("country", "criterion"), name="laws_assessment_unique_criterion"
            )
        ]

    def __str__(self):
        return f"{self.country}: {self.criterion.short_label}: {self.get_answer_display()}"

    def natural_key(self):
        return (*self.country.natural_key(), *self.criterion.natural_key())

    natural_key.dependencies = ["profiles.country", "laws.criterion"]

    def problem_labels(self):
        """The consistency problems of an assessment read through `with_problems()`."""
        return [str(label) for name, label in PROBLEMS.items() if getattr(self, name, False)]
