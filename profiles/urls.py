from django.urls import path

from . import views

app_name = "profiles"

urlpatterns = [
    path("countries/", views.CountryListView.as_view(), name="country-list"),
    path("countries/<str:iso_code>/", views.CountryDetailView.as_view(), name="country-detail"),
]
