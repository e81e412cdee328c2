from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("library/", views.ReportListView.as_view(), name="report-list"),
    path("library/authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author-detail"),
    path("library/<slug:slug>/", views.ReportDetailView.as_view(), name="report-detail"),
    path(
        "library/<slug:slug>/cite.bib",
        views.report_citation,
        {"fmt": "bibtex"},
        name="report-bibtex",
    ),
    path("library/<slug:slug>/cite.ris", views.report_citation, {"fmt": "ris"}, name="report-ris"),
    path(
        "library/<slug:slug>/cite.json",
        views.report_citation,
        {"fmt": "csljson"},
        name="report-csljson",
    ),
]
