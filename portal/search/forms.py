from django import forms

from portal.records import country_model

from .text import MAX_QUERY_LENGTH
from .types import SEARCH_TYPES


class SearchForm(forms.Form):
    """The search box and the facet choices. Bad values are dropped, never an error page."""

    q = forms.CharField(
        label="Search for",
        required=False,
        strip=True,
        widget=forms.SearchInput(attrs={"maxlength": MAX_QUERY_LENGTH}),
    )
    type = forms.ChoiceField(
        label="Record type",
        required=False,
        choices=[("", "All types"), *((t.key, t.label) for t in SEARCH_TYPES)],
    )
    country = forms.CharField(label="Country (ISO code)", required=False, max_length=2)
    year = forms.IntegerField(label="Year", required=False, min_value=1900, max_value=2100)
    page = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, **kwargs):
        # Keep the first value of repeated parameters; the query text is cut, not refused, when
        # too long, and NUL bytes never reach the database.
        if data is not None:
            data = {key: data.get(key, "").replace("\x00", "") for key in data}
            data["q"] = data.get("q", "")[: MAX_QUERY_LENGTH * 2]
        super().__init__(data, *args, **kwargs)

    def value(self, name):
        """The cleaned value of one field, or None when it was missing or invalid."""
        if not self.is_bound:
            return None
        self.is_valid()
        if name in self.errors:
            return None
        return self.cleaned_data.get(name)

    def clean_country(self):
        iso_code = self.cleaned_data["country"].strip().upper()
        if not iso_code:
            return None
        country = country_model().objects.public().filter(iso_code=iso_code).first()
        if country is None:
            raise forms.ValidationError("No published country has this code.")
        return country
