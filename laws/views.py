from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView

from portal.listing import PublicListView
from profiles.models import Country

from .benchmarks import country_benchmarks, framework_matrix
from .charts import prison_terms_chart
from .filters import ProvisionFilter
from .json_ld import legislation_json_ld, provision_json_ld
from .models import (
    ChildDefinition,
    CountryInstrumentStatus,
    Criterion,
    Framework,
    LegalAct,
    LegalAge,
    Provision,
    Topic,
    group_penalties,
)


def published_topics_prefetch():
    return Prefetch("topics", queryset=Topic.objects.public())


def statuses_by_instrument(statuses):
    """Status steps (ordered) -> [(instrument, [steps in order])]."""
    grouped = {}
    for status in statuses:
        grouped.setdefault(status.instrument, []).append(status)
    return [
        (instrument, sorted(steps, key=lambda s: s.step_rank))
        for instrument, steps in grouped.items()
    ]


def country_legislation(request, iso_code):
    """A country's legal overview: ages, definitions, instruments, acts with their provisions."""
    country = get_object_or_404(Country.objects.public(), iso_code=iso_code.upper())
    ages = list(LegalAge.objects.public().filter(country=country).order_by("kind"))
    definitions = list(
        ChildDefinition.objects.public()
        .filter(country=country)
        .select_related("act")
        .with_public("act")
    )
    statuses = (
        CountryInstrumentStatus.objects.public()
        .filter(country=country)
        .select_related("instrument")
        .order_by("instrument__short_name", "status_kind")
    )
    provisions = (
        Provision.objects.public()
        .with_max_imprisonment()
        .order_by("sort_key")
        .prefetch_related(published_topics_prefetch(), "penalties")
    )
    acts = list(
        LegalAct.objects.public()
        .filter(country=country)
        .prefetch_related(Prefetch("provisions", queryset=provisions))
    )
    for act in acts:
        for provision in act.provisions.all():
            provision.penalty_groups = group_penalties(provision.penalties.all())
    return render(
        request,
        "laws/country_legislation.html",
        {
            "country": country,
            "ages": ages,
            "definitions": definitions,
            "instrument_statuses": statuses_by_instrument(statuses),
            "acts": acts,
            "json_ld": legislation_json_ld(country, acts, request),
            "prison_terms_chart": prison_terms_chart(country, acts),
            "benchmarks": country_benchmarks(country),
        },
    )


def framework_list(request):
    """The benchmark frameworks, each with its number of public criteria."""
    frameworks = Framework.objects.public().annotate(
        criterion_count=Count("criteria", filter=Criterion.public_filter("criteria"))
    )
    return render(request, "laws/framework_list.html", {"frameworks": frameworks})


def framework_detail(request, slug):
    """A framework's criteria and the matrix of the countries assessed against them."""
    framework = get_object_or_404(Framework.objects.public(), slug=slug)
    matrix = framework_matrix(framework)
    return render(
        request,
        "laws/framework_detail.html",
        {"framework": framework, "criteria": matrix["criteria"], "rows": matrix["rows"]},
    )


class ProvisionListView(PublicListView):
    model = Provision
    filterset_class = ProvisionFilter
    template_name = "laws/provision_list.html"
    context_object_name = "provisions"

    def get_queryset(self):
        return (
            Provision.objects.public()
            .select_related("act", "country")
            .with_max_imprisonment()
            .prefetch_related(published_topics_prefetch())
            .order_by("country__name", "act__title", "sort_key")
        )


class ProvisionDetailView(DetailView):
    template_name = "laws/provision_detail.html"
    context_object_name = "provision"

    def get_queryset(self):
        return (
            Provision.objects.public()
            .select_related("act", "country")
            .with_max_imprisonment()
            .prefetch_related(published_topics_prefetch(), "penalties")
        )

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        return get_object_or_404(queryset, act__slug=self.kwargs["act"], slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["penalty_groups"] = group_penalties(self.object.penalties.all())
        context["json_ld"] = provision_json_ld(self.object, self.request)
        return context
