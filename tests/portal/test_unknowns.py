"""Absent facts: "not known" once where the absence is the fact (the statistics the source names
without a figure); elsewhere an empty field is left out, not labelled."""

import html as html_lib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from laws.models import Provision
from library.models import Author, Report
from profiles.models import Initiative, Organisation
from tests.profiles.factories import CountryFactory

# "Not stated in our sources" is an answer of a benchmark assessment (the framework says what
# our sources do not show), not a label of an empty field.
LABELS = re.compile(
    r"\b(not available|unknown|not stated(?! in our sources)|none set|not given|not recorded|"
    r"none recorded|"
    r"no link known|no person named)\b",
    re.IGNORECASE,
)


def public_templates():
    for path in Path(settings.BASE_DIR).glob("*/templates/**/*.html"):
        if "admin" not in path.relative_to(settings.BASE_DIR).parts[2:]:
            yield path


def test_no_public_template_labels_an_empty_field():
    found = {}
    for path in public_templates():
        # Text only: the "unknown" CSS class of empty-list messages is no label.
        text = re.sub(r"<[^>]*>|\{[%{#].*?[%}#]\}", " ", path.read_text())
        if hits := LABELS.findall(text):
            found[str(path.relative_to(settings.BASE_DIR))] = hits
    assert found == {}


def page_text(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    body = response.content.decode()
    body = body[body.index("<main") : body.index("</main>")]
    # A chart writes a value nobody recorded where its bar would be, instead of a zero bar: that
    # is the chart's reading of the data, not a labelled empty field.
    body = re.sub(r'<figure class="chart".*?</figure>', " ", body, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


@pytest.mark.django_db
def test_rendered_pages_say_not_known_once_and_label_nothing_else(client):
    call_command("load_demo_data", verbosity=0)
    CountryFactory(iso_code="LV", name="Latvia", slug="latvia")  # a country without records
    records = (Initiative, Organisation, Report, Author, Provision)
    details = [
        model.objects.public().order_by("pk").first().get_absolute_url() for model in records
    ]
    pages = [
        "/",
        "/countries/",
        "/countries/lt/",
        "/countries/lv/",
        "/countries/lt/legislation/",
        "/countries/lv/legislation/",
        "/countries/lt/changes/",
        "/initiatives/",
        "/organisations/",
        "/library/",
        "/laws/",
        "/search/?q=child",
        "/compare/?country=LT&country=LV",
        *details,
        *(o.get_absolute_url() for o in Organisation.objects.public()),
        *(r.get_absolute_url() for r in Report.objects.public()),
    ]
    labelled = {}
    for path in pages:
        text = page_text(client, path)
        if hits := LABELS.findall(text):
            labelled[path] = hits
    assert labelled == {}
    country = page_text(client, "/countries/lt/")
    assert country.lower().count("not known") == 1
    assert "Not known : the source names these statistics" in re.sub(r"\s+", " ", country)
