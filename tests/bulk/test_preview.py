"""The admin import preview shows the values a file brings (old → new for updated rows) and warns
about text that looks mis-decoded, with a number of queries that does not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.bulk.formats import misdecoded
from profiles.models import Initiative
from tests.portal.factories import make_member
from tests.profiles.factories import InitiativeFactory, OrganisationFactory, ThemeFactory

from .helpers import INITIATIVE_HEADER as HEADER
from .helpers import ImportPage, csv_bytes, rows_of

pytestmark = pytest.mark.django_db

IMPORT = "admin:profiles_initiative_bulk_import"


@pytest.fixture
def page(csrf_client, lt):
    csrf_client.force_login(make_member("Editor", lt))
    return ImportPage(csrf_client, reverse(IMPORT))


def test_updated_rows_show_old_and_new_values_and_new_rows_their_values(page, lt):
    ThemeFactory(name="Education")
    OrganisationFactory(name="LIA")
    InitiativeFactory(country=lt, title="Hotline", year=2005, body="Old <b>text</b>.")
    rows = [
        HEADER,
        ["LT", "Hotline", "2005", "New <script>alert(1)</script>", "Education", "LIA (lead)", ""],
        ["LT", "Week & more", "2006", "Posters.", "", "", "in_review"],
    ]
    preview = page.upload(csv_bytes(rows))
    html = preview.content.decode()
    assert "0 new" not in html and "1 new, 1 updated" in html
    updated, new = rows_of(preview)[2], rows_of(preview)[3]
    assert updated.details == (
        ("body", "Old <b>text</b>.", "New <script>alert(1)</script>"),
        ("themes", "", "Education"),
        ("organisations", "", "LIA (lead)"),
    )
    assert (
        "<strong>body</strong>: Old &lt;b&gt;text&lt;/b&gt;. → "
        "New &lt;script&gt;alert(1)&lt;/script&gt;</li>"
    ) in html
    assert "<script>alert" not in html
    assert "<strong>themes</strong>: (empty) → Education</li>" in html
    assert {name: new_text for name, _, new_text in new.details} == {
        "country": "LT",
        "title": "Week & more",
        "year": "2006",
        "slug": "lt-2006-week-more",
        "body": "Posters.",
        "status": "in_review",
    }
    assert "<strong>title</strong>: Week &amp; more</li>" in html


def test_a_change_deep_in_a_long_text_is_shown_around_the_change(page, lt):
    before = "Lorem ipsum dolor sit amet. " * 20
    InitiativeFactory(country=lt, title="Long", year=2005, body=before + "Old ending.")
    rows = [HEADER, ["LT", "Long", "2005", before + "New ending.", "", "", ""]]
    [(name, old, new)] = rows_of(page.upload(csv_bytes(rows)))[2].details
    assert name == "body"
    assert old.startswith("…") and old.endswith("Old ending.") and len(old) <= 122
    assert new.startswith("…") and new.endswith("New ending.") and len(new) <= 122


def test_text_that_looks_mis_decoded_is_flagged_on_the_row_and_at_the_top(page, lt):
    good = "Vaikų linija – „Klaipėda“"
    bad = good.encode("utf-8").decode("cp1252")  # what LibreOffice made of a UTF-8 file
    assert bad == "VaikÅ³ linija â€“ â€žKlaipÄ—daâ€œ"
    rows = [
        HEADER,
        ["LT", "Clean", "2005", "Vaikų linija, Šiauliai, Rīga.", "", "", ""],
        ["LT", bad, "2006", "Body.", "", "", ""],
        ["LT", "Latvian", "2007", "Bērnu tiesÄ«bu", "", "", ""],
    ]
    preview = page.upload(csv_bytes(rows))
    html = preview.content.decode()
    rows = rows_of(preview)
    assert rows[2].suspect == ()
    assert rows[3].suspect == (("title", bad, good),)
    assert rows[4].suspect == (("body", "Bērnu tiesÄ«bu", "Bērnu tiesību"),)
    assert '<li class="warning" id="bulk-encoding-warning">' in html
    assert "2 row(s) have text that looks mis-decoded" in html and "(rows 3, 4)" in html
    assert f"“{bad}” where probably “{good}” was meant" in html
    assert html.count('class="bulk-warning"><strong>⚠ Looks mis-decoded:</strong>') == 2
    assert 'class="bulk-new bulk-suspect"' in html
    assert preview.context["token"]  # a warning, not a refusal: the editor decides


def test_a_clean_file_has_no_encoding_warning(page, lt):
    rows = [HEADER, ["LT", "Åland, Ärzte, naïve, Straße", "2005", "SÃO PAULO, Œuvre", "", "", ""]]
    html = page.upload(csv_bytes(rows)).content.decode()
    assert "bulk-encoding-warning" not in html and "Looks mis-decoded" not in html


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("VaikÅ³", "Vaikų"),
        ("Ä“", "ē"),
        ("Ã©t", "ét"),
        ("â€œquotedâ€\x9d", "“quoted”"),
        ("Å\xa0iauliai", "Šiauliai"),
        ("KlaipÄ\x97da", "Klaipėda"),  # read as Latin-1: a C1 control
        ("LiepÄ\ufffdja", "LiepÄ\ufffdja"),  # a byte lost: flagged, cannot be repaired
        ("Vaikų", None),
        ("Åland", None),
        ("SÃO", None),
        ("plain ASCII", None),
    ],
)
def test_misdecoded(text, meant):
    assert misdecoded(text) == meant


def test_preview_queries_do_not_grow_with_the_rows(page, lt):
    ThemeFactory(name="Education")
    OrganisationFactory(name="LIA")

    def preview_queries(count, offset):
        rows = [HEADER]
        for i in range(count):
            year = str(2000 + i)
            InitiativeFactory(country=lt, title=f"Old {offset + i}", year=year, body="Old.")
            rows.append(["LT", f"Old {offset + i}", year, "New.", "Education", "LIA", ""])
            rows.append(["LT", f"New {offset + i}", year, "B.", "Education", "LIA (lead)", ""])
        data = csv_bytes(rows)
        page.client.get(page.url)  # the form, outside the measured request
        with CaptureQueriesContext(connection) as queries:
            preview = page.upload(data)
        counts = preview.context["result"].counts
        assert (counts["updated"], counts["new"]) == (count, count)
        assert all(row.details for row in rows_of(preview).values())
        return len(queries)

    assert preview_queries(3, 0) == preview_queries(40, 100)
    assert not Initiative.objects.filter(title__startswith="New").exists()
