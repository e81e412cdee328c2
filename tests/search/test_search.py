import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from library.models import Authorship, Report
from portal.models import Status
from portal.search.query import PER_PAGE, search
from portal.search_index import index_records, unindex_records
from tests.laws.factories import InstrumentFactory, LegalActFactory, ProvisionFactory
from tests.library.factories import AuthorFactory, ReportFactory
from tests.profiles.factories import (
    CountryFactory,
    InitiativeFactory,
    OrganisationFactory,
    ReportingChannelFactory,
)

pytestmark = pytest.mark.django_db


def hit_objects(page):
    return [hit.obj for hit in page.hits]


# --- the properties the portal promises ---------------------------------------------------------


def test_accent_insensitive(committed):
    with committed():
        organisation = OrganisationFactory(name="Child Line", national_name="Vaikų linija")
    assert organisation in hit_objects(search("Vaiku linija"))
    assert organisation in hit_objects(search("VAIKŲ"))


def test_stemmed(committed):
    with committed():
        report = ReportFactory(title="A national policy on screens", summary="Nothing else.")
        initiative = InitiativeFactory(title="Training", body="Teachers were trained in 2012.")
    assert report in hit_objects(search("policies"))
    assert initiative in hit_objects(search("training teacher"))


def test_typo_is_corrected_when_nothing_matches(committed):
    with committed():
        author = AuthorFactory(family_name="Livingstone", given_names="Sonia")
    page = search("Livingstne")
    assert page.corrected_from == "Livingstne"
    assert page.query == "Livingstone"
    assert author in hit_objects(page)


def test_no_correction_offered_from_a_draft(committed):
    with committed():
        AuthorFactory(family_name="Quixotically", given_names="Ann", status=Status.DRAFT)
    page = search("Quixoticaly")
    assert page.total == 0
    assert page.corrected_from == ""


def test_body_text_is_searched(committed):
    with committed():
        initiative = InitiativeFactory(title="Campaign", body="Posters about the axolotl mascot.")
    assert hit_objects(search("axolotl")) == [initiative]


def test_report_found_by_its_authors_name(committed):
    with committed():
        report = ReportFactory(title="Children online", summary="A survey.")
        Authorship.objects.create(report=report, author=AuthorFactory(family_name="Ólafsson"))
    found = hit_objects(search("Olafsson"))
    assert report in found
    # Removing the authorship takes the name out of the report's entry.
    with committed():
        Authorship.objects.filter(report=report).delete()
    assert report not in hit_objects(search("Olafsson"))


def test_report_found_by_an_alternative_title(committed):
    with committed():
        report = ReportFactory(title="National perspectives", summary="A survey.")
        title = report.titles.create(title="EU Kids Online: national perspectives")
    assert hit_objects(search("EU Kids Online")) == [report]
    with committed():
        title.delete()
    assert search("EU Kids Online").total == 0


def test_provision_number(committed):
    with committed():
        provision = ProvisionFactory(number="151.1", title="Satisfaction of sexual desires")
        ProvisionFactory(number="151", title="Another offence")
    assert hit_objects(search("151.1")) == [provision]


def test_every_record_type_is_found(committed):
    word = "Zanzibarian"
    with committed():
        country = CountryFactory(summary=f"{word} summary")
        records = [
            country,
            InitiativeFactory(country=country, body=word),
            OrganisationFactory(description=word),
            ReportingChannelFactory(country=country, description=word),
            ReportFactory(summary=word),
            AuthorFactory(family_name=word),
            ProvisionFactory(act=LegalActFactory(country=country), summary=word),
            InstrumentFactory(summary=word),
        ]
    page = search(word)
    assert set(hit_objects(page)) == set(records)
    assert {f.value for f in page.type_facets} == {
        "countries",
        "initiatives",
        "organisations",
        "channels",
        "reports",
        "authors",
        "provisions",
        "instruments",
    }
    for hit in page.hits:
        assert hit.url.startswith("/")


def test_title_match_ranks_above_body_match(committed):
    with committed():
        body_only = InitiativeFactory(title="Awareness week", body="Mentions the pangolin once.")
        in_title = InitiativeFactory(title="Pangolin helpline", body="A helpline.")
    assert hit_objects(search("pangolin")) == [in_title, body_only]


# --- published records only ---------------------------------------------------------------------


def test_drafts_and_unpublished_parents_never_appear(committed):
    word = "Quokkanese"
    with committed():
        visible = InitiativeFactory(body=word)
        InitiativeFactory(body=word, status=Status.DRAFT)
        InitiativeFactory(body=word, status=Status.WITHDRAWN)
        InitiativeFactory(body=word, country=CountryFactory(status=Status.DRAFT))
        ProvisionFactory(summary=word, act=LegalActFactory(status=Status.DRAFT))
        ReportFactory(summary=word, status=Status.IN_REVIEW)
    assert hit_objects(search(word)) == [visible]


def test_index_follows_publishing_edits_and_deletes(committed):
    with committed():
        initiative = InitiativeFactory(title="Numbat project", status=Status.DRAFT)
    assert search("numbat").total == 0
    with committed():
        initiative.status = Status.PUBLISHED
        initiative.save()
    assert hit_objects(search("numbat")) == [initiative]
    with committed():
        initiative.title = "Wombat project"
        initiative.save()
    assert search("numbat").total == 0
    assert hit_objects(search("wombat")) == [initiative]
    with committed():
        initiative.delete()
    assert search("wombat").total == 0


def test_bulk_writes_are_indexed_through_index_records():
    reports = Report.objects.bulk_create(
        Report(title=f"Bilby study {i}", slug=f"bilby-{i}", year=2001, status=Status.PUBLISHED)
        for i in range(3)
    )
    assert search("bilby").total == 0  # bulk_create sends no signals
    index_records(Report, Report.objects.filter(slug__startswith="bilby-"))
    assert search("bilby").total == 3
    unindex_records(Report.objects.filter(pk=reports[0].pk))
    assert search("bilby").total == 2


# --- facets and pagination ----------------------------------------------------------------------


def test_facets_count_by_type_country_and_year_and_filter(committed):
    with committed():
        one, two = CountryFactory(name="Freedonia"), CountryFactory(name="Sylvania")
        InitiativeFactory(country=one, year=2010, body="kakapo")
        InitiativeFactory(country=one, year=2011, body="kakapo")
        InitiativeFactory(country=two, year=2011, body="kakapo")
        ReportFactory(year=2011, summary="kakapo", countries=[two])
        AuthorFactory(family_name="Kakapo")

    page = search("kakapo")
    assert page.total == 5
    assert {(f.value, f.count) for f in page.type_facets} == {
        ("initiatives", 3),
        ("reports", 1),
        ("authors", 1),
    }
    assert {(f.label, f.count) for f in page.country_facets} == {("Freedonia", 2), ("Sylvania", 2)}
    assert [(f.value, f.count) for f in page.year_facets] == [("2011", 3), ("2010", 1)]

    assert search("kakapo", type_key="reports").total == 1
    assert search("kakapo", country=two).total == 2  # authors have no country
    assert search("kakapo", year=2011).total == 3
    assert search("kakapo", country=one, year=2011).total == 1


def test_pagination_covers_every_hit_once(committed):
    with committed():
        country = CountryFactory()
        made = {InitiativeFactory(country=country, body=f"dugong {i}").pk for i in range(45)}
    seen = []
    for number in (1, 2, 3):
        page = search("dugong", page=number)
        assert page.num_pages == 3 and page.number == number
        seen += [hit.obj.pk for hit in page.hits]
    assert len(seen) == 45 and set(seen) == made
    assert len(search("dugong", page=3).hits) == 45 - 2 * PER_PAGE
    assert search("dugong", page=99).number == 3
    assert search("dugong", page=-1).number == 1


# --- the page -----------------------------------------------------------------------------------


def test_page_highlights_escaped_text(client, committed):
    with committed():
        InitiativeFactory(title="<b>Echidna</b> & friends", body="About <script>echidna</script>.")
    response = client.get(reverse("search"), {"q": "echidna"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;<mark>Echidna</mark>&lt;/b&gt; &amp; friends" in html
    assert "&lt;script&gt;<mark>echidna</mark>&lt;/script&gt;" in html
    assert "<script>echidna" not in html


def test_page_shows_the_correction_and_facet_links(client, committed):
    with committed():
        country = CountryFactory(iso_code="FD", name="Freedonia")
        AuthorFactory(family_name="Livingstone")
        InitiativeFactory(country=country, title="Livingstone lecture", year=2014)
    html = client.get(reverse("search"), {"q": "Livingstne"}).content.decode()
    assert "No results for “Livingstne”" in html
    assert "?q=Livingstne&amp;country=FD" in html
    assert "?q=Livingstne&amp;year=2014" in html
    assert "?q=Livingstne&amp;type=authors" in html


def test_empty_search_page(client):
    response = client.get(reverse("search"))
    assert response.status_code == 200
    assert b"provision number" in response.content


def _count_queries(client, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("search"), params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _expected_queries(page):
    """The fixed plan: how many match, counts and facets, the ranked page, the facet country
    names, one query per record type on the page, and one for the authors of its reports."""
    kinds = {hit.type.key for hit in page.hits}
    return _base() + bool(page.country_facets) + len(kinds) + ("reports" in kinds)


def _base():
    """Index queries of a search with hits: PostgreSQL counts (capped) before it aggregates;
    SQLite counts and aggregates in one query; then the page."""
    return 3 if connection.vendor == "postgresql" else 2


def test_query_count_does_not_grow_with_data(client, committed):
    with committed():
        country = CountryFactory()
        InitiativeFactory(country=country, body="manatee")
        ReportFactory(title="Manatee report", countries=[country], authors=[AuthorFactory()])
        OrganisationFactory(description="manatee")
    params = {"q": "manatee"}
    _count_queries(client, params)  # fills Django's content-type cache, as any earlier request
    small = _count_queries(client, params)
    assert small == _expected_queries(search("manatee")) == _base() + 5

    with committed():
        for i in range(30):
            ReportFactory(
                title=f"Manatee report {i}", countries=[country], authors=[AuthorFactory()]
            )
        for i in range(30):
            InitiativeFactory(country=CountryFactory(), year=1990 + i, body=f"manatee {i}")
            OrganisationFactory(description="manatee")
    large = _count_queries(client, params)
    # Never more than one query per record type on the page, whatever the number of hits.
    assert large == _expected_queries(search("manatee")) <= _base() + 1 + 8 + 1
    # The same types on the page: the same number of queries with 4 or 94 hits.
    for kind in ("reports", "initiatives"):
        expected = _base() + 1 + 1 + (kind == "reports")
        assert _count_queries(client, {**params, "type": kind}) == expected
    # Organisations without countries: no facet country names to read.
    assert _count_queries(client, {**params, "type": "organisations"}) == _base() + 1
    assert _count_queries(client, {**params, "page": 2}) <= _base() + 1 + 8 + 1


def test_search_with_no_hits_runs_counts_and_suggestion_only(committed):
    with committed():
        InitiativeFactory(body="manatee")
    with CaptureQueriesContext(connection) as captured:
        page = search("zzqqxx")
    assert page.total == 0
    assert len(captured.captured_queries) == 2  # how many match, then "did you mean"


# --- the index follows every kind of change ---------------------------------------------------


def test_withdrawing_a_country_removes_its_records_and_publishing_brings_them_back(committed):
    with committed():
        country = CountryFactory(name="Elbonia")
        initiative = InitiativeFactory(country=country, body="capybara")
        channel = ReportingChannelFactory(country=country, description="capybara")
        provision = ProvisionFactory(act=LegalActFactory(country=country), summary="capybara")
    assert set(hit_objects(search("capybara"))) == {initiative, channel, provision}
    with committed():
        country.status = Status.WITHDRAWN
        country.save()
    assert search("capybara").total == 0
    with committed():
        country.status = Status.PUBLISHED
        country.save()
    assert search("capybara").total == 3
    # Its name is part of its initiatives' and channels' text.
    assert set(hit_objects(search("Elbonia capybara"))) == {initiative, channel}


def test_withdrawing_an_act_removes_its_provisions(committed):
    with committed():
        act = LegalActFactory()
        provision = ProvisionFactory(act=act, summary="tapir")
    assert hit_objects(search("tapir")) == [provision]
    with committed():
        act.status = Status.WITHDRAWN
        act.save()
    assert search("tapir").total == 0


def test_renaming_or_withdrawing_an_author_updates_their_reports(committed):
    with committed():
        author = AuthorFactory(family_name="Quagga")
        report = ReportFactory(title="A survey", summary="Nothing.")
        Authorship.objects.create(report=report, author=author, position=1)
    assert report in hit_objects(search("Quagga"))
    with committed():
        author.family_name = "Okapi"
        author.save()
    assert search("Quagga").total == 0
    assert set(hit_objects(search("Okapi"))) == {author, report}
    with committed():
        author.status = Status.DRAFT
        author.save()
    assert search("Okapi").total == 0  # neither the draft author nor its name in the report


def test_country_changes_of_a_report_move_it_between_facets(committed):
    with committed():
        one, two = CountryFactory(name="Freedonia"), CountryFactory(name="Sylvania")
        report = ReportFactory(summary="narwhal", countries=[one])
    assert search("narwhal", country=one).total == 1
    with committed():
        report.countries.set([two])
    assert search("narwhal", country=one).total == 0
    assert [f.label for f in search("narwhal").country_facets] == ["Sylvania"]
    with committed():
        two.reports.remove(report)  # from the other side
    assert search("narwhal", country=two).total == 0
    assert search("narwhal").total == 1


def test_clearing_a_countrys_reports_from_the_country_side_updates_the_facets(committed):
    with committed():
        country = CountryFactory(name="Grand Fenwick")
        kept = CountryFactory(name="Ruritania")
        reports = [ReportFactory(summary="okapi", countries=[country, kept]) for _ in range(2)]
        organisation = OrganisationFactory(description="okapi", countries=[country])
    assert search("okapi", country=country).total == 3
    with committed():
        country.reports.clear()
        country.organisations.clear()
    assert search("okapi", country=country).total == 0
    assert search("okapi", country=kept).total == len(reports)
    assert organisation in hit_objects(search("okapi"))


def test_history_revert_and_restore_keep_the_index_right(committed):
    from portal.history import record_restore, record_revert

    with committed():
        initiative = InitiativeFactory(title="Ocelot week")
    first = initiative.history.latest().history_id
    with committed():
        initiative.title = "Margay week"
        initiative.save()
    assert search("ocelot").total == 0
    with committed():
        record_revert(record=initiative, history_id=first)
    assert hit_objects(search("ocelot")) == [initiative]
    pk = initiative.pk
    with committed():
        initiative.delete()
    assert search("ocelot").total == 0
    with committed():
        restored, _children = record_restore(model=type(initiative), pk=pk)
    assert hit_objects(search("ocelot")) == [restored]


def test_index_records_runs_a_few_queries_per_chunk_whatever_its_size():
    def queries_for(count, prefix):
        reports = Report.objects.bulk_create(
            Report(title=f"{prefix} {i}", slug=f"{prefix}-{i}", year=2020, status=Status.PUBLISHED)
            for i in range(count)
        )
        authors = [AuthorFactory() for _ in range(2)]
        Authorship.objects.bulk_create(
            Authorship(report=r, author=a, position=n)
            for r in reports
            for n, a in enumerate(authors, 1)
        )
        with CaptureQueriesContext(connection) as captured:
            index_records(Report, reports)
        return len(captured.captured_queries)

    # Delete, read the records, their countries, alternative titles and authors, insert the
    # entries, add the words; SQLite splits long inserts into batches of its parameter limit
    # (999), PostgreSQL does not.
    small, large = queries_for(3, "gerenuk"), queries_for(1000, "dikdik")
    if connection.vendor == "postgresql":
        assert small == large <= 9  # with the savepoint around the chunk
    else:
        assert small <= large <= 16
    assert search("dikdik").total == 1000


def test_rebuild_command_writes_only_public_records(committed):
    from django.core.management import call_command

    from portal.search.models import SearchEntry

    with committed():
        visible = InitiativeFactory(body="serval")
        InitiativeFactory(body="serval", status=Status.DRAFT)
    Report.objects.bulk_create(
        [Report(title="Serval report", slug="serval-r", year=2020, status=Status.PUBLISHED)]
    )  # no signal: only the rebuild indexes it
    assert search("serval").total == 1
    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index", verbosity=0)
    page = search("serval")
    assert page.total == 2 and visible in hit_objects(page)
    assert SearchEntry.objects.filter(kind="initiatives", object_id=visible.pk).count() == 1


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "x" * 5000,
        "<script>alert(1)</script>",
        '"unbalanced',
        "'",
        "*",
        "NEAR(a b)",
        "a AND OR NOT b",
        "title:foo",
        "a & b | !c",
        "\\",
        "%_",
        "151.1 -",
        "the",
        "🙂",
    ],
)
def test_bad_query_strings_never_fail(client, committed, query):
    with committed():
        InitiativeFactory(body="Bad input check.")
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content


# --- many matches (PostgreSQL): estimated counts, title-first ranking -------------------------


@pytest.mark.postgres
def test_many_matches_are_counted_from_a_sample_and_ranked_title_first(monkeypatch, committed):
    from portal.search import query
    from portal.search.backends import postgres

    # Small limits stand for the real ones; a 100 % "sample" makes the estimate checkable.
    monkeypatch.setattr(postgres, "EXACT_LIMIT", 5)
    monkeypatch.setattr(postgres, "FULL_RANK_LIMIT", 2)
    monkeypatch.setattr(postgres, "SAMPLE_PERCENT", 100)
    monkeypatch.setattr(query, "PER_PAGE", 4)
    with committed():
        country = CountryFactory(name="Kiwiland")
        in_title = [InitiativeFactory(country=country, title=f"Kiwi plan {i}") for i in range(3)]
        in_body = [InitiativeFactory(country=country, body=f"kiwi {i}") for i in range(9)]
        ReportFactory(summary="kiwi", year=2011)

    page = query.search("kiwi")
    assert page.total == 13 and str(page.total) == "about 13"
    assert {(f.value, f.count) for f in page.type_facets} == {("initiatives", 12), ("reports", 1)}
    assert [(f.label, f.count) for f in page.country_facets] == [("Kiwiland", 12)]
    seen = []
    for number in range(1, page.num_pages + 1):
        seen += [hit.obj for hit in query.search("kiwi", page=number).hits]
    assert len(seen) == 13 and len(set(seen)) == 13
    assert set(seen[:3]) == set(in_title)  # every title match before any body match
    body_initiatives = [obj for obj in seen[3:] if obj in in_body]
    assert body_initiatives == sorted(in_body, key=lambda i: -i.pk)  # then newest first

    # A type filter counts the chosen type on its own, exactly when it can.
    reports = query.search("kiwi", type_key="reports")
    assert reports.total == 1 and str(reports.total) == "1"
    assert [f.value for f in reports.year_facets] == ["2011"]
