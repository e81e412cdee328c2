from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .forms import SearchForm
from .query import search


def search_view(request):
    form = SearchForm(request.GET)
    filters = {
        "type": form.value("type") or "",
        "country": form.value("country"),
        "year": form.value("year"),
    }
    results = search(
        form.value("q") or "",
        type_key=filters["type"],
        country=filters["country"],
        year=filters["year"],
        page=form.value("page") or 1,
    )
    context = {"form": form, "filters": filters, "results": results}
    return render(request, "portal/search.html", context)


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Allow: /", "Disallow: /admin/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
