"""Research library: reports with ordered authors, topics and the countries they cover."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.models import PublishableQuerySet, RecordModel
from profiles.models import Country

YEAR_VALIDATORS = [MinValueValidator(1900), MaxValueValidator(2100)]


# Topics -----------------------------------------------------------------------------------------


class TopicManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Topic(models.Model):
    """A managed list of research topics that reports are tagged with."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Topic as shown to the public, e.g. Parental mediation. Used in spreadsheets."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Lower-case name used in filter links, e.g. parental-mediation."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What belongs under this topic (for editors).")
    )
    history = HistoricalRecords()

    objects = TopicManager()

    class Meta:
        ordering = ("name",)
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


# Authors ----------------------------------------------------------------------------------------


class AuthorQuerySet(PublishableQuerySet):
    pass


class AuthorManager(models.Manager.from_queryset(AuthorQuerySet)):
    def get_by_natural_key(self, match_key):
        return self.get(match_key=match_key)


class Author(RecordModel):
    """One person who wrote reports. Spellings of the same name share one `match_key`."""

    country_field = None

    family_name = models.CharField(
        _("family name"),
        max_length=100,
        help_text=_("Family name as it should be printed, with particles, e.g. de Haan, O'Neill."),
    )
    given_names = models.CharField(
        _("given names"),
        max_length=100,
        blank=True,
        help_text=_(
            "The fullest form the sources give, e.g. Sonia, or only initials (E. J.) when no "
            "source gives the full name. Do not guess."
        ),
    )
    initials = models.CharField(
        _("initials"),
        max_length=20,
        blank=True,
        help_text=_("Initials of the given names with full stops, e.g. E. J. Used in citations."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Lower-case name for the author's page address, e.g. livingstone-sonia."),
    )
    match_key = models.CharField(
        _("matching key"),
        max_length=120,
        unique=True,
        help_text=_(
            "Normalised family name and first initial, e.g. livingstone|s. Imports match author "
            "names to this record through it. Filled in automatically from the name."
        ),
    )

    objects = AuthorManager()

    class Meta:
        ordering = ("family_name", "given_names")
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.sort_name

    def natural_key(self):
        return (self.match_key,)

    @property
    def sort_name(self):
        """'Livingstone, Sonia' (also the form used in spreadsheets)."""
        return f"{self.family_name}, {self.given_names}" if self.given_names else self.family_name

    @property
    def display_name(self):
        """'Sonia Livingstone'."""
        return f"{self.given_names} {self.family_name}" if self.given_names else self.family_name

    def get_absolute_url(self):
        return reverse("library:author-detail", kwargs={"slug": self.slug})


# Reports ----------------------------------------------------------------------------------------


class ReportType(models.TextChoices):
    SURVEY = "survey", _("Survey")
    LITERATURE_REVIEW = "literature_review", _("Literature review")
    LEGAL_REVIEW = "legal_review", _("Legal review")
    POLICY_RECOMMENDATIONS = "policy_recommendations", _("Policy recommendations")
    EVALUATION = "evaluation", _("Evaluation")
    COMPARATIVE_ANALYSIS = "comparative_analysis", _("Comparative analysis")
    COUNTRY_REPORT = "country_report", _("Country report")
    OTHER = "other", _("Other")


class ReportQuerySet(PublishableQuerySet):
    def for_country(self, country):
        return self.filter(countries=country)

    def with_public_relations(self):
        """Public authors in order, topics and public countries, in three extra queries."""
        return self.prefetch_related(
            public_authorships_prefetch(),
            "topics",
            Prefetch("countries", queryset=Country.objects.public(), to_attr="public_countries"),
        )


class ReportManager(models.Manager.from_queryset(ReportQuerySet)):
    def get_by_natural_key(self, title, year):
        return self.get(title=title, year=year)


class Report(RecordModel):
    _history_m2m_fields = ("topics", "countries")
    history_children = ("authorships", "titles")
    country_field = "countries"

    title = models.CharField(
        _("title"),
        max_length=300,
        help_text=_("Main title as printed on the report, without the year."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        help_text=_("Lower-case address of the report page, e.g. zero-to-eight-2013."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=YEAR_VALIDATORS, help_text=_("Year of publication.")
    )
    authors = models.ManyToManyField(
        Author,
        through="Authorship",
        related_name="reports",
        blank=True,
        verbose_name=_("authors"),
        help_text=_("Persons who wrote the report, in the order printed on it."),
    )
    corporate_author = models.CharField(
        _("corporate author"),
        max_length=200,
        blank=True,
        help_text=_(
            "Organisation or network credited as author, e.g. European Commission or "
            "EU Kids Online network. Leave empty when only persons are credited."
        ),
    )
    publisher = models.CharField(
        _("publisher"),
        max_length=200,
        blank=True,
        help_text=_("Organisation that published the report. Leave empty if the source is silent."),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("What the report covers, in two or three sentences.")
    )
    report_type = models.CharField(
        _("report type"),
        max_length=32,
        choices=ReportType.choices,
        default=ReportType.OTHER,
        help_text=_("Kind of research, used in the library filters."),
    )
    topics = models.ManyToManyField(
        Topic,
        related_name="reports",
        blank=True,
        verbose_name=_("topics"),
        help_text=_("Topics from the managed list (add new ones under Topics)."),
    )
    countries = models.ManyToManyField(
        "profiles.Country",
        related_name="reports",
        blank=True,
        verbose_name=_("countries covered"),
        help_text=_("Countries whose pages list this report."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$", _("A code such as en or lt."))],
        help_text=_("Language code of the report, e.g. en. Leave empty if unknown."),
    )
    url = models.URLField(
        _("URL"), max_length=500, blank=True, help_text=_("Address of the report online, if known.")
    )
    doi = models.CharField(
        _("DOI"),
        max_length=200,
        blank=True,
        validators=[RegexValidator(r"^10\.\S+/\S+$", _("A DOI such as 10.1234/abcd."))],
        help_text=_("Digital Object Identifier without https://doi.org/, only where known."),
    )
    source_note = models.TextField(
        _("source note"),
        blank=True,
        help_text=_("Where this record comes from and what was corrected (shown to readers)."),
    )

    objects = ReportManager()

    class Meta:
        ordering = ("-year", "title")
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=("title", "year"), name="library_report_title_year"),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"

    def natural_key(self):
        return (self.title, self.year)

    def get_absolute_url(self):
        return reverse("library:report-detail", kwargs={"slug": self.slug})


class AuthorshipQuerySet(models.QuerySet):
    def public(self):
        """The authorships whose author the public may read."""
        return self.filter(Author.public_filter("author"))


def public_authorships_prefetch():
    """A report's public authorships in order, with their authors, as `public_authorships`."""
    return Prefetch(
        "authorships",
        queryset=Authorship.objects.public().select_related("author").order_by("position", "pk"),
        to_attr="public_authorships",
    )


class Authorship(models.Model):
    """An author's place in a report's author list."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="authorships", verbose_name=_("report")
    )
    author = models.ForeignKey(
        Author,
        on_delete=models.PROTECT,
        related_name="authorships",
        verbose_name=_("author"),
        help_text=_("Pick the existing author; add a new one only if the person is not listed."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order on the report: 1 for the first author.")
    )
    history = HistoricalRecords()

    objects = AuthorshipQuerySet.as_manager()

    class Meta:
        ordering = ("position", "pk")
        verbose_name = _("authorship")
        verbose_name_plural = _("authors in order")
        constraints = [
            models.UniqueConstraint(fields=("report", "author"), name="library_authorship_unique"),
        ]

    def __str__(self):
        return f"{self.position}. {self.author}"


class ReportTitle(models.Model):
    """Another title under which the same report is listed (a duplicate's title, a translation)."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="titles", verbose_name=_("report")
    )
    title = models.CharField(
        _("alternative title"),
        max_length=300,
        help_text=_("Title as another source prints it, e.g. with a series prefix."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("title",)
        verbose_name = _("alternative title")
        verbose_name_plural = _("alternative titles")
        constraints = [
            models.UniqueConstraint(fields=("report", "title"), name="library_reporttitle_unique"),
        ]

    def __str__(self):
        return self.title
