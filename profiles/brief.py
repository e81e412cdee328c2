"""The country brief: the published profile as a PDF (WeasyPrint), from the country page's own
sections and the print stylesheet.

WeasyPrint fetches nothing: the stylesheets are read from the static files, and any other
resource a page might name (an image, a remote stylesheet) is refused, so rendering a brief never
opens a connection. Links stay links, made absolute against the site's address.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone

from portal.changes import country_last_updated
from portal.country_sections import country_sections

from .models import Country

STYLESHEETS = ("css/site.css", "css/charts.css", "css/print.css", "css/brief.css")


def refuse_fetch(url):
    raise ValueError(f"The country brief fetches no resources ({url[:80]}).")


def brief_pdf(country, *, base_url):
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    class NoFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            refuse_fetch(url)

    html = render_to_string(
        "profiles/brief.html",
        {
            "country": country,
            "sections": country_sections(country),
            "last_updated": country_last_updated(country),
            "generated": timezone.now(),
            "site_url": base_url.rstrip("/"),
            "SITE_NAME": settings.SITE_NAME,
            "SITE_DATA_LICENCE": settings.SITE_DATA_LICENCE,
        },
    )
    fetcher = NoFetcher()
    stylesheets = [CSS(filename=finders.find(name), url_fetcher=fetcher) for name in STYLESHEETS]
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets
    )


def country_brief(request, iso_code):
    """/countries/<code>/brief.pdf: published countries only, like the country page.

    The brief takes no parameters: a query string is refused (400) before anything is drawn, so
    each brief has one address, and made-up parameters cannot make the server lay out a PDF again
    and again. An unknown country is a 404 whatever the query string.
    """
    country = get_object_or_404(Country.objects.public(), iso_code=iso_code.upper())
    if request.META.get("QUERY_STRING"):
        return HttpResponseBadRequest(
            "The country brief takes no parameters: remove everything after the question mark.",
            content_type="text/plain; charset=utf-8",
        )
    pdf = brief_pdf(country, base_url=request.build_absolute_uri("/"))
    return HttpResponse(pdf, content_type="application/pdf")
