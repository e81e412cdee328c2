from django.urls import path

from portal.http_cache import public_page
from portal.page_cache import cache_public_page

from . import views

app_name = "library"

urlpatterns = [
    path(
        "library/",
        public_page(cache_public_page(views.ReportListView.as_view())),
        name="report-list",
    ),
    path(
        "library/authors/<slug:slug>/",
        public_page(cache_public_page(views.AuthorDetailView.as_view())),
        name="author-detail",
    ),
    path(
        "library/<slug:slug>/",
        public_page(cache_public_page(views.ReportDetailView.as_view())),
        name="report-detail",
    ),
    path(
        "library/<slug:slug>/cite.bib",
        public_page(views.report_citation),
        {"fmt": "bibtex"},
        name="report-bibtex",
    ),
    path(
        "library/<slug:slug>/cite.ris",
        public_page(views.report_citation),
        {"fmt": "ris"},
        name="report-ris",
    ),
    path(
        "library/<slug:slug>/cite.json",
        public_page(views.report_citation),
        {"fmt": "csljson"},
        name="report-csljson",
    ),
]
