from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from portal.changes import country_last_updated
from portal.country_sections import country_sections
from portal.downloads import DownloadableListMixin
from portal.listing import PublicListView

from .filters import InitiativeFilter, OrganisationFilter
from .json_ld import organisation_json_ld
from .models import (
    Country,
    Initiative,
    InitiativeOrganisation,
    Membership,
    Organisation,
    ReportingChannel,
)
from .sections import initiatives_with_details


class CountryListView(DownloadableListMixin, ListView):
    template_name = "profiles/country_list.html"
    context_object_name = "countries"
    paginate_by = 100

    def get_queryset(self):
        return Country.objects.public()

    def paginate_queryset(self, queryset, page_size):
        # A bad page number shows the nearest page, as on the other public lists (not a 404).
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class CountryDetailView(DetailView):
    template_name = "profiles/country_detail.html"
    context_object_name = "country"

    def get_object(self, queryset=None):
        return get_object_or_404(Country.objects.public(), iso_code=self.kwargs["iso_code"].upper())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = country_sections(self.object)
        context["sections"] = sections
        context["highlights"] = [h for section in sections for h in section.highlights]
        context["last_updated"] = country_last_updated(self.object)
        return context


def public_initiatives():
    return Initiative.objects.public()


class InitiativeListView(PublicListView):
    filterset_class = InitiativeFilter
    template_name = "profiles/initiative_list.html"
    context_object_name = "initiatives"

    def get_queryset(self):
        return (
            public_initiatives()
            .select_related("country")
            .prefetch_related("themes")
            .order_by("-year", "country__name", "title", "pk")
        )


class InitiativeDetailView(DetailView):
    template_name = "profiles/initiative_detail.html"
    context_object_name = "initiative"

    def get_queryset(self):
        return initiatives_with_details(public_initiatives().select_related("country"))


class OrganisationListView(PublicListView):
    filterset_class = OrganisationFilter
    template_name = "profiles/organisation_list.html"
    context_object_name = "organisations"

    def get_queryset(self):
        return Organisation.objects.public().order_by("name", "pk")


class OrganisationDetailView(DetailView):
    template_name = "profiles/organisation_detail.html"
    context_object_name = "organisation"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["json_ld"] = organisation_json_ld(self.object, self.request)
        return context

    def get_queryset(self):
        return Organisation.objects.public().prefetch_related(
            Prefetch("countries", queryset=Country.objects.public()),
            Prefetch(
                "initiative_roles",
                queryset=InitiativeOrganisation.objects.filter(
                    Initiative.public_filter("initiative")
                )
                .select_related("initiative__country")
                .order_by("-initiative__year", "initiative__title", "pk"),
                to_attr="public_roles",
            ),
            Prefetch(
                "reporting_channels",
                queryset=ReportingChannel.objects.public()
                .select_related("country")
                .prefetch_related("figures"),
                to_attr="public_channels",
            ),
            Prefetch(
                "membership_rows",
                queryset=Membership.objects.filter(
                    Organisation.public_filter("organisation")
                ).select_related("organisation"),
                to_attr="public_memberships",
            ),
            Prefetch(
                "member_rows",
                queryset=Membership.objects.filter(Organisation.public_filter("member"))
                .select_related("member")
                .order_by("member__name"),
                to_attr="public_members",
            ),
        )
