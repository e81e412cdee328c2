from calendar import month_name
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.formats import number
from portal.models import PublishableQuerySet, RecordModel

YEAR_VALIDATORS = [MinValueValidator(1900), MaxValueValidator(2100)]
MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]


def year_field(verbose_name, help_text, **kwargs):
    return models.PositiveSmallIntegerField(
        verbose_name, validators=YEAR_VALIDATORS, help_text=help_text, **kwargs
    )


def month_field(verbose_name, help_text):
    return models.PositiveSmallIntegerField(
        verbose_name, null=True, blank=True, validators=MONTH_VALIDATORS, help_text=help_text
    )


# Countries --------------------------------------------------------------------------------------


class CountryManager(models.Manager.from_queryset(PublishableQuerySet)):
    def get_by_natural_key(self, iso_code):
        return self.get(iso_code=iso_code.upper())


class Country(RecordModel):
    country_field = "self"  # portal.permissions: an editor needs this country itself

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


# Managed lists ----------------------------------------------------------------------------------


class NameManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Theme(models.Model):
    """A managed list of themes that initiatives are tagged with."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Theme as shown to the public, e.g. Education & awareness."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("Lower-case name used in filter links, e.g. education-awareness."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What belongs under this theme (for editors).")
    )
    history = HistoricalRecords()

    objects = NameManager()

    class Meta:
        ordering = ("name",)
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class IndicatorDefinition(models.Model):
    """What an indicator measures, e.g. Internet users; its values are stored per country."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        help_text=_("Indicator name as shown to the public, e.g. Internet users."),
    )
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("Lower-case name, e.g. internet-users.")
    )
    unit = models.CharField(
        _("unit"),
        max_length=50,
        blank=True,
        help_text=_("Unit of the values, e.g. people or % of population. Leave empty if unknown."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the indicator measures and how.")
    )
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Position in the at-a-glance table (lowest first).")
    )
    history = HistoricalRecords()

    objects = NameManager()

    class Meta:
        ordering = ("order", "name")
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


# Indicator values -------------------------------------------------------------------------------


class IndicatorValueQuerySet(PublishableQuerySet):
    def for_country(self, country):
        return self.filter(country=country)


class IndicatorValue(RecordModel):
    country_field = "country"
    public_parents = ("country",)

    country = models.ForeignKey(
        Country,
        on_delete=models.CASCADE,
        related_name="indicator_values",
        verbose_name=_("country"),
        help_text=_("Country the figure describes."),
    )
    definition = models.ForeignKey(
        IndicatorDefinition,
        on_delete=models.PROTECT,
        related_name="values",
        verbose_name=_("indicator"),
        help_text=_("What the figure measures."),
    )
    year = year_field(
        _("year"),
        _("Year the figure refers to. Leave empty when the source does not say."),
        null=True,
        blank=True,
    )
    value = models.DecimalField(
        _("value"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "The figure itself. Leave empty when it is unknown: the country page then lists "
            "the indicator under 'Not known'. Never estimate."
        ),
    )
    source_name = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_(
            "Who published the figure, e.g. Internet World Stats. If the source credits several "
            "providers without saying which gave this figure, name them all."
        ),
    )
    source_url = models.URLField(
        _("source URL"), blank=True, help_text=_("Link to the figure at the source, if any.")
    )
    as_of = models.DateField(
        _("as of"),
        null=True,
        blank=True,
        help_text=_("Date the source gives for the figure. Leave empty if it gives none."),
    )
    note = models.TextField(
        _("note"), blank=True, help_text=_("Caveats shown with the figure, e.g. about the source.")
    )

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        ordering = ("country", "definition__order", "definition__name", "-year")
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=("country", "definition", "year"), name="unique_indicator_value_year"
            )
        ]

    def __str__(self):
        where = f"{self.country}, {self.year}" if self.year else f"{self.country}"
        if self.value is None:
            return f"{self.definition} ({where})"
        return f"{self.definition} ({where}): {number(self.value)}"

    @property
    def is_unknown(self):
        return self.value is None


# Organisations ----------------------------------------------------------------------------------


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government body")
    REGULATOR = "regulator", _("Regulator")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    NGO = "ngo", _("NGO")
    COMPANY = "company", _("Company")
    INDUSTRY_ASSOCIATION = "industry_association", _("Industry association")
    INTERNATIONAL = "international", _("International organisation")
    NETWORK = "network", _("Network")
    HOTLINE = "hotline", _("Hotline")
    HELPLINE = "helpline", _("Helpline")
    CERT = "cert", _("CERT")
    OTHER = "other", _("Other")


class Scope(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    INTERNATIONAL = "international", _("International")


class OrganisationQuerySet(PublishableQuerySet):
    def for_country(self, country):
        return self.filter(countries=country)


class OrganisationManager(models.Manager.from_queryset(OrganisationQuerySet)):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Organisation(RecordModel):
    _history_m2m_fields = ("countries",)
    history_children = ("membership_rows",)
    country_field = "countries"

    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        help_text=_(
            "English name as the source gives it, e.g. Communications Regulatory Authority. "
            "Spreadsheets refer to organisations by this name."
        ),
    )
    slug = models.SlugField(
        _("slug"), max_length=200, unique=True, help_text=_("Lower-case name for links.")
    )
    acronym = models.CharField(
        _("acronym"),
        max_length=30,
        blank=True,
        help_text=_("Short form used by the source, e.g. RRT. Do not expand unknown acronyms."),
    )
    national_name = models.CharField(
        _("name in the national language"),
        max_length=200,
        blank=True,
        help_text=_("Only when the source gives it, e.g. Vaikų linija."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=OrganisationKind.choices,
        blank=True,
        help_text=_("What sort of body it is. Leave empty when the source does not make it clear."),
    )
    scope = models.CharField(
        _("scope"),
        max_length=20,
        choices=Scope.choices,
        blank=True,
        help_text=_("Where it works: national, regional (e.g. Europe) or international."),
    )
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="organisations",
        verbose_name=_("countries"),
        help_text=_(
            "Country pages that list this organisation: where a national body works, or where a "
            "regional or international body is featured. May be empty."
        ),
    )
    founding_year = year_field(
        _("founding year"), _("Only if the source gives it."), null=True, blank=True
    )
    website = models.URLField(
        _("website"), blank=True, help_text=_("Only if the source gives one; never guess.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What it does, in the source's words.")
    )
    memberships = models.ManyToManyField(
        "self",
        through="Membership",
        through_fields=("member", "organisation"),
        symmetrical=False,
        related_name="members",
        blank=True,
        verbose_name=_("member of"),
        help_text=_("Networks and bodies it belongs to; edit them under 'Member of' below."),
    )

    objects = OrganisationManager()

    class Meta:
        ordering = ("name",)
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        if self.acronym and self.acronym != self.name:
            return f"{self.name} ({self.acronym})"
        return self.name

    def natural_key(self):
        return (self.name,)

    def get_absolute_url(self):
        return reverse("profiles:organisation-detail", kwargs={"slug": self.slug})


class MembershipKind(models.TextChoices):
    MEMBER = "member", _("Member")
    FOUNDING_MEMBER = "founding_member", _("Founding member")
    PART_OF = "part_of", _("Part of")


class Membership(models.Model):
    """One organisation belonging to another, e.g. a hotline member of INHOPE since 2008."""

    member = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="membership_rows",
        verbose_name=_("member"),
        help_text=_("The organisation that belongs to the other one."),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="member_rows",
        verbose_name=_("member of"),
        help_text=_("The network, association or body it belongs to."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=MembershipKind.choices,
        default=MembershipKind.MEMBER,
        help_text=_("Member, founding member, or a unit that is part of the other body."),
    )
    since_year = year_field(
        _("since"), _("Year it joined, only if the source gives it."), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("organisation__name",)
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=("member", "organisation"), name="unique_membership")
        ]

    def __str__(self):
        return f"{self.member.name} – {self.relation_label} {self.organisation.name}"

    @property
    def relation_label(self):
        """'member of', 'founding member of' or 'part of'."""
        if self.kind == MembershipKind.PART_OF:
            return "part of"
        return f"{self.get_kind_display().lower()} of"


# Key figures ------------------------------------------------------------------------------------


class Qualifier(models.TextChoices):
    EXACT = "exact", _("exactly")
    OVER = "over", _("over")
    AT_LEAST = "at_least", _("at least")
    NEARLY = "nearly", _("nearly")
    AROUND = "around", _("around")


class KeyFigure(models.Model):
    label = models.CharField(
        _("label"),
        max_length=200,
        blank=True,
        help_text=_("Optional short context, e.g. 'during the first year'."),
    )
    number = models.DecimalField(
        _("number"),
        max_digits=14,
        decimal_places=2,
        help_text=_("The number as the source states it, e.g. 4667 (write 3.7 thousand as 3700)."),
    )
    qualifier = models.CharField(
        _("qualifier"),
        max_length=10,
        choices=Qualifier.choices,
        default=Qualifier.EXACT,
        help_text=_("How the source qualifies the number: over 20 000, nearly 20, around 4,667."),
    )
    unit = models.CharField(
        _("counted thing"),
        max_length=100,
        help_text=_("What is counted, e.g. people trained, schools connected, reports received."),
    )
    as_of_year = year_field(
        _("as of"), _("Year the number refers to, if the source says."), null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("Lowest first."))

    class Meta:
        abstract = True
        ordering = ("order", "pk")

    def __str__(self):
        qualifier = "" if self.qualifier == Qualifier.EXACT else f"{self.get_qualifier_display()} "
        return f"{qualifier}{number(Decimal(str(self.number)))} {self.unit}"


# Initiatives ------------------------------------------------------------------------------------


class Timeline(models.TextChoices):
    NATIONAL = "national", _("National initiatives")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement & reporting")


class InitiativeQuerySet(PublishableQuerySet):
    def for_country(self, country):
        return self.filter(country=country)


class InitiativeManager(models.Manager.from_queryset(InitiativeQuerySet)):
    def get_by_natural_key(self, iso_code, title, year):
        return self.get(country__iso_code=iso_code, title=title, year=year)


class Initiative(RecordModel):
    _history_m2m_fields = ("themes",)
    history_children = ("organisation_roles", "figures")
    country_field = "country"
    public_parents = ("country",)

    country = models.ForeignKey(
        Country,
        on_delete=models.CASCADE,
        related_name="initiatives",
        verbose_name=_("country"),
        help_text=_("Country whose timeline lists the initiative."),
    )
    title = models.CharField(
        _("title"), max_length=300, help_text=_("Short name of the initiative or event.")
    )
    slug = models.SlugField(
        _("slug"), max_length=300, unique=True, help_text=_("Lower-case words for its permalink.")
    )
    timeline = models.CharField(
        _("timeline"),
        max_length=20,
        choices=Timeline.choices,
        default=Timeline.NATIONAL,
        help_text=_(
            "National initiatives (education, awareness, strategy, industry codes) or law "
            "enforcement & reporting (helplines, hotlines, programmes, alliances, training)."
        ),
    )
    year = year_field(
        _("timeline year"),
        _(
            "Year under which the timeline lists it. A paragraph without its own year belongs to "
            "the year heading above it."
        ),
    )
    start_year = year_field(
        _("start year"),
        _("Year it started, if the source says; may be earlier than the timeline year."),
        null=True,
        blank=True,
    )
    start_month = month_field(_("start month"), _("1–12, only if the source gives the month."))
    end_year = year_field(
        _("end year"),
        _("Year it ended or is planned to end ('through 2019'), if the source says."),
        null=True,
        blank=True,
    )
    end_month = month_field(_("end month"), _("1–12, only if the source gives the month."))
    body = models.TextField(_("text"), help_text=_("What happened, in plain sentences."))
    themes = models.ManyToManyField(
        Theme,
        blank=True,
        related_name="initiatives",
        verbose_name=_("themes"),
        help_text=_("One or more themes from the managed list."),
    )
    organisations = models.ManyToManyField(
        Organisation,
        through="InitiativeOrganisation",
        related_name="initiatives",
        blank=True,
        verbose_name=_("organisations"),
        help_text=_("Organisations involved and their role; edit them in the table below."),
    )
    source_name = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where the facts come from.")
    )
    source_url = models.URLField(_("source URL"), blank=True, help_text=_("Link to the source."))

    objects = InitiativeManager()

    class Meta:
        ordering = ("country", "timeline", "year", "pk")
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [
            models.UniqueConstraint(
                fields=("country", "title", "year"), name="unique_initiative_per_country_year"
            )
        ]

    def __str__(self):
        return f"{self.year} – {self.title}"

    def natural_key(self):
        return (self.country.iso_code, self.title, self.year)

    natural_key.dependencies = ["profiles.country"]

    def get_absolute_url(self):
        return reverse("profiles:initiative-detail", kwargs={"slug": self.slug})

    @property
    def period(self):
        """E.g. 'March 2006 – August 2008', '2011 – 2019', 'through 2018'; '' without dates."""

        def when(year, month):
            if not year:
                return ""
            if month:
                return f"{month_name[month]} {year}"
            return str(year)

        start = when(self.start_year, self.start_month)
        end = when(self.end_year, self.end_month)
        if start and end:
            return f"{start} – {end}"
        if end:
            return f"through {end}"
        return start

    @property
    def listing_note(self):
        """'listed under 2013; launched 2005' when the source's timeline lists the initiative
        under another year than its own dates; '' otherwise."""
        if self.start_year and self.start_year != self.year:
            return f"listed under {self.year}; launched {self.start_year}"
        if not self.start_year and self.end_year and self.end_year < self.year:
            return f"listed under {self.year}; ended {self.end_year}"
        return ""


class Role(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")
    FUNDER = "funder", _("Funder")
    COORDINATOR = "coordinator", _("Coordinator")
    PARTICIPANT = "participant", _("Participant")


class InitiativeOrganisation(models.Model):
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="organisation_roles",
        verbose_name=_("initiative"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="initiative_roles",
        verbose_name=_("organisation"),
        help_text=_("Type to search organisations by name or acronym."),
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=Role.choices,
        default=Role.PARTNER,
        help_text=_("Lead (ran it), partner, funder, coordinator or participant."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("Lowest first."))
    history = HistoricalRecords()

    class Meta:
        ordering = ("order", "pk")
        verbose_name = _("organisation role")
        verbose_name_plural = _("organisation roles")
        constraints = [
            models.UniqueConstraint(
                fields=("initiative", "organisation", "role"), name="unique_initiative_role"
            )
        ]

    def __str__(self):
        return f"{self.organisation.name} ({self.get_role_display().lower()})"


class InitiativeFigure(KeyFigure):
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="figures", verbose_name=_("initiative")
    )
    history = HistoricalRecords()

    class Meta(KeyFigure.Meta):
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")


# Reporting channels -----------------------------------------------------------------------------


class ChannelKind(models.TextChoices):
    HELPLINE = "helpline", _("Helpline")
    HOTLINE = "hotline", _("Hotline")
    ONLINE_FORM = "online_form", _("Online form / website")


class ReportingChannelQuerySet(PublishableQuerySet):
    def for_country(self, country):
        return self.filter(country=country)


class ReportingChannelManager(models.Manager.from_queryset(ReportingChannelQuerySet)):
    def get_by_natural_key(self, iso_code, name):
        return self.get(country__iso_code=iso_code, name=name)


class ReportingChannel(RecordModel):
    history_children = ("figures",)
    country_field = "country"
    public_parents = ("country",)

    name = models.CharField(
        _("name"), max_length=200, help_text=_("Name of the line or page, e.g. Child Line.")
    )
    slug = models.SlugField(
        _("slug"), max_length=200, unique=True, help_text=_("Lower-case words for links.")
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=ChannelKind.choices,
        help_text=_("Helpline (help for children), hotline (reports of illegal content) or form."),
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.CASCADE,
        related_name="reporting_channels",
        verbose_name=_("country"),
        help_text=_("Country the channel serves."),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="reporting_channels",
        verbose_name=_("organisation"),
        help_text=_("Who runs it. Its memberships (e.g. INHOPE) are shown from the organisation."),
    )
    accepts = models.TextField(
        _("what it accepts"),
        blank=True,
        help_text=_("What the public can report or ask for help with, in the source's words."),
    )
    how_to_reach = models.TextField(
        _("how to reach it"),
        blank=True,
        help_text=_("Means of contact the source gives (phone, online). No guessed numbers."),
    )
    phone = models.CharField(
        _("phone"), max_length=50, blank=True, help_text=_("Only if the source gives it.")
    )
    url = models.URLField(_("web address"), blank=True, help_text=_("Only if the source gives it."))
    since_year = year_field(
        _("since"), _("Year it opened, if the source says."), null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Short description."))

    objects = ReportingChannelManager()

    class Meta:
        ordering = ("country", "name")
        verbose_name = _("reporting channel")
        verbose_name_plural = _("reporting channels")
        constraints = [
            models.UniqueConstraint(fields=("country", "name"), name="unique_channel_per_country")
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.country.iso_code, self.name)

    natural_key.dependencies = ["profiles.country"]


class ReportingChannelFigure(KeyFigure):
    channel = models.ForeignKey(
        ReportingChannel,
        on_delete=models.CASCADE,
        related_name="figures",
        verbose_name=_("reporting channel"),
    )
    history = HistoricalRecords()

    class Meta(KeyFigure.Meta):
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
