from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from portal.country_sections import country_sections

from .models import Country


class CountryListView(ListView):
    template_name = "profiles/country_list.html"
    context_object_name = "countries"
    paginate_by = 100

    def get_queryset(self):
        return Country.objects.published()


class CountryDetailView(DetailView):
    template_name = "profiles/country_detail.html"
    context_object_name = "country"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Country.objects.published(), iso_code=self.kwargs["iso_code"].upper()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = country_sections(self.object)
        return context
