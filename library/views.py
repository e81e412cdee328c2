from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from portal.listing import PublicListView
from profiles.models import Country

from .citations import FORMATS, apa
from .filters import ReportFilter
from .json_ld import report_json_ld
from .models import Author, Report, ReportType

EXPORT_LIMIT = 2000  # a download of the filtered list holds at most this many reports


def public_reports():
    return Report.objects.public().with_public_relations()


def citation_response(reports, fmt, filename):
    render, content_type, extension = FORMATS[fmt]
    response = HttpResponse(render(reports), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


class ReportListView(PublicListView):
    filterset_class = ReportFilter
    template_name = "library/report_list.html"
    context_object_name = "reports"

    def get_queryset(self):
        return public_reports().order_by("-year", "title", "pk")

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format")
        if fmt not in FORMATS:
            return super().get(request, *args, **kwargs)
        filterset = self.get_filterset(self.get_filterset_class())
        reports = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        return citation_response(list(reports[:EXPORT_LIMIT]), fmt, "library")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["facets"] = self.facets(self.object_list)
        context["formats"] = FORMATS
        return context

    def facets(self, queryset):
        """Counts per facet value of the filtered list: four aggregate queries."""
        ids = queryset.order_by().values("pk")
        reports = Report.objects.filter(pk__in=ids).order_by()
        types = dict(ReportType.choices)
        return {
            "types": [
                {"value": row["report_type"], "label": types.get(row["report_type"]), "n": row["n"]}
                for row in reports.values("report_type").annotate(n=Count("pk")).order_by("-n")
            ],
            "years": list(
                reports.values("year").annotate(n=Count("pk")).order_by("-year").values("year", "n")
            ),
            "topics": list(
                Report.topics.through.objects.filter(report__in=ids)
                .values("topic__slug", "topic__name")
                .annotate(n=Count("report_id", distinct=True))
                .order_by("-n", "topic__name")
            ),
            "countries": list(
                Report.countries.through.objects.filter(
                    Country.public_filter("country"), report__in=ids
                )
                .values("country__iso_code", "country__name")
                .annotate(n=Count("report_id", distinct=True))
                .order_by("-n", "country__name")
            ),
        }


class ReportDetailView(DetailView):
    template_name = "library/report_detail.html"
    context_object_name = "report"

    def get_queryset(self):
        return public_reports().prefetch_related("titles")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["citation"] = apa(self.object)
        context["json_ld"] = report_json_ld(self.object, self.request)
        return context


def report_citation(request, slug, fmt):
    if fmt not in FORMATS:
        raise Http404("Unknown citation format.")
    report = get_object_or_404(public_reports(), slug=slug)
    return citation_response([report], fmt, report.slug)


class AuthorDetailView(DetailView):
    template_name = "library/author_detail.html"
    context_object_name = "author"

    def get_queryset(self):
        return Author.objects.public().prefetch_related(
            Prefetch(
                "reports",
                queryset=public_reports().order_by("-year", "title", "pk"),
                to_attr="public_reports",
            )
        )
