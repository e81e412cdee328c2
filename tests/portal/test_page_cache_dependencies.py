"""The page cache refreshes what a change shows on, and only that, at the next request.

Through the test client (the real URLconf, middleware and signals); the search index is refreshed
on commit, so the tests that search commit their writes (`committed`).
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from portal.models import Status
from tests.library.factories import AuthorFactory, ReportFactory
from tests.profiles.factories import (
    InitiativeFactory,
    OrganisationFactory,
    ReportingChannelFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def get(path):
    response = Client().get(path)
    assert response.status_code == 200, path
    return response["X-Page-Cache"], response.content.decode()


def cached(*paths):
    for path in paths:
        get(path)
        assert get(path)[0] == "hit", path


def test_an_lt_edit_refreshes_lt_and_leaves_lv_a_hit(lt, lv):
    initiative = InitiativeFactory(country=lt, title="Old Lithuanian title")
    InitiativeFactory(country=lv, title="Latvian initiative")
    cached("/countries/lt/", "/countries/lv/")

    initiative.title = "New Lithuanian title"
    initiative.save()

    served, html = get("/countries/lt/")
    assert served == "miss"
    assert "New Lithuanian title" in html and "Old Lithuanian title" not in html
    served, html = get("/countries/lv/")
    assert served == "hit"
    assert "Latvian initiative" in html


def test_an_lt_edit_refreshes_the_lists_that_show_it_not_the_others(lt, lv):
    initiative = InitiativeFactory(country=lt, title="Listed initiative")
    ReportFactory(title="A listed report", countries=[lv])
    cached("/initiatives/", "/initiatives/?country=LT", "/library/")

    initiative.title = "Renamed listed initiative"
    initiative.save()

    for path in ("/initiatives/", "/initiatives/?country=LT"):
        served, html = get(path)
        assert served == "miss", path
        assert "Renamed listed initiative" in html, path
    served, html = get("/library/")
    assert served == "hit"
    assert "A listed report" in html


def test_an_lt_edit_shows_on_a_search_page_at_the_next_request(lt, committed):
    with committed():
        initiative = InitiativeFactory(country=lt, title="Grooming helpline")
    search = "/search/?q=grooming"
    cached(search)

    with committed():
        initiative.title = "Grooming hotline renamed"
        initiative.save()
    served, html = get(search)
    assert served == "miss"
    assert "hotline renamed" in html  # the search word itself is highlighted


def test_drafts_never_reach_a_cached_page(lt, committed):
    with committed():
        draft = InitiativeFactory(country=lt, title="Secret draft plan", status=Status.DRAFT)
    paths = ("/countries/lt/", "/initiatives/", "/search/?q=secret")
    cached(*paths)
    for path in paths:
        assert "draft plan" not in get(path)[1], path

    with committed():
        draft.status = Status.PUBLISHED
        draft.save()
    for path in paths:
        assert "draft plan" in get(path)[1], path

    with committed():
        draft.status = Status.WITHDRAWN
        draft.save()
    for path in paths:
        assert "draft plan" not in get(path)[1], path


def test_a_record_moved_to_another_country_leaves_the_old_countrys_page(lt, lv):
    initiative = InitiativeFactory(country=lv, title="Moving initiative")
    cached("/countries/lt/", "/countries/lv/")

    initiative.country = lt
    initiative.save()

    assert "Moving initiative" not in get("/countries/lv/")[1]
    assert "Moving initiative" in get("/countries/lt/")[1]


def test_an_organisation_of_lv_renamed_refreshes_lts_page_that_shows_it(lt, lv):
    organisation = OrganisationFactory(name="Riga hotline operator", countries=[lv])
    ReportingChannelFactory(country=lt, organisation=organisation, name="Lithuanian hotline")
    assert "Riga hotline operator" in get("/countries/lt/")[1]
    cached("/countries/lt/")

    organisation.name = "Baltic hotline operator"
    organisation.save()

    served, html = get("/countries/lt/")
    assert served == "miss"
    assert "Baltic hotline operator" in html


def test_a_many_to_many_change_refreshes_both_countries(lt, lv):
    report = ReportFactory(title="A shared report", countries=[lt])
    cached("/countries/lt/", "/countries/lv/")

    report.countries.set([lv])

    assert "A shared report" not in get("/countries/lt/")[1]
    assert "A shared report" in get("/countries/lv/")[1]


def test_an_author_renamed_refreshes_the_pages_of_the_reports(lt, lv):
    author = AuthorFactory(family_name="Oldname")
    ReportFactory(title="An authored report", countries=[lt], authors=[author])
    cached("/countries/lt/", "/library/")

    author.family_name = "Newname"
    author.save()

    for path in ("/countries/lt/", "/library/"):
        served, html = get(path)
        assert served == "miss" and "Newname" in html, path


def test_after_a_change_only_the_changed_sections_run_sql(lt):
    """The first reader after an edit renders the sections the edit touched; the others come
    from the cache, and the page is the same as one rendered without any cache."""
    initiative = InitiativeFactory(country=lt, title="Sectioned initiative")
    ReportFactory(title="Sectioned report", countries=[lt])
    ReportingChannelFactory(country=lt)

    with CaptureQueriesContext(connection) as cold:
        assert get("/countries/lt/")[0] == "miss"
    initiative.title = "Sectioned initiative, edited"
    initiative.save()
    with CaptureQueriesContext(connection) as warm:
        served, html = get("/countries/lt/")
    assert served == "miss"
    assert len(warm) < len(cold), (len(warm), len(cold))
    tables = " ".join(query["sql"] for query in warm.captured_queries)
    assert "library_authorship" not in tables  # the research section came from the cache

    cache.clear()
    with override_settings(PAGE_CACHE_SECONDS=0):
        uncached = Client().get("/countries/lt/").content.decode()
    assert html == uncached


def test_an_early_answer_repeats_the_headers_of_the_full_one(lt, django_assert_num_queries):
    """Cached pages are answered before sessions and URL resolution, with the same headers."""
    InitiativeFactory(country=lt)
    client = Client()
    first = client.get("/initiatives/")
    with django_assert_num_queries(0):
        second = client.get("/initiatives/")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    for header in (
        "Content-Type",
        "Cache-Control",
        "Vary",
        "X-Frame-Options",
        "Content-Security-Policy",
        "Permissions-Policy",
    ):
        assert second[header] == first[header], header
    # A conditional request goes the whole way, so a current copy is a 304.
    if first.has_header("ETag"):
        assert client.get("/initiatives/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


# --- one record's fragment: the first reader after an edit renders that record only -----------


@pytest.fixture
def initiative_renders(monkeypatch):
    """How many initiatives' entries the country page renders (the cached ones are not)."""
    from portal import page_cache

    rendered = []
    original = page_cache.render_to_string

    def counting(template, context=None, *args, **kwargs):
        if template == "profiles/includes/initiative.html":
            rendered.append(context["initiative"].title)
        return original(template, context, *args, **kwargs)

    monkeypatch.setattr(page_cache, "render_to_string", counting)
    return rendered


def test_an_initiative_edit_renders_that_initiative_alone(lt, initiative_renders):
    initiatives = [
        InitiativeFactory(country=lt, title=f"Entry {n}", year=2000 + n) for n in range(5)
    ]
    cached("/countries/lt/")
    assert len(initiative_renders) == 5
    initiative_renders.clear()

    initiatives[2].title = "Entry two, corrected"
    initiatives[2].save()

    served, html = get("/countries/lt/")
    assert served == "miss"
    assert initiative_renders == ["Entry two, corrected"]
    assert "Entry two, corrected" in html
    assert all(f"Entry {n}" in html for n in (0, 1, 3, 4))
    assert html.index("Entry 1") < html.index("Entry two, corrected") < html.index("Entry 3")


def test_an_initiative_fragment_follows_what_it_shows_of_other_records(lt, lv):
    from tests.profiles.factories import (
        InitiativeFigureFactory,
        InitiativeOrganisationFactory,
        ThemeFactory,
    )

    initiative = InitiativeFactory(country=lt, title="Safer internet week")
    partner = OrganisationFactory(name="Old partner name", countries=[lv])
    InitiativeOrganisationFactory(initiative=initiative, organisation=partner)
    theme = ThemeFactory(name="Old theme name")
    other = InitiativeFactory(country=lt, title="Another initiative")
    cached("/countries/lt/")
    # The section rendered again with every entry from the cache (one initiative fewer): the
    # section must still depend on what those entries show.
    other.status = Status.DRAFT
    other.save()
    assert "Another initiative" not in get("/countries/lt/")[1]

    # Another country's organisation renamed: shown in the initiative's "With:" line.
    partner.name = "New partner name"
    partner.save()
    assert "New partner name" in get("/countries/lt/")[1]

    # A many-to-many link added without saving the initiative, then its theme renamed.
    initiative.themes.add(theme)
    assert "Old theme name" in get("/countries/lt/")[1]
    theme.name = "New theme name"
    theme.save()
    assert "New theme name" in get("/countries/lt/")[1]

    # A row of the initiative's own (a key figure).
    InitiativeFigureFactory(initiative=initiative, number=4321, unit="pupils reached")
    assert "pupils reached" in get("/countries/lt/")[1]

    # The organisation withdrawn: its name leaves the initiative's entry.
    partner.status = Status.DRAFT
    partner.save()
    html = get("/countries/lt/")[1]
    assert "New partner name" not in html and "Safer internet week" in html


def test_an_initiative_withdrawn_or_moved_leaves_the_page_at_once(lt, lv):
    initiative = InitiativeFactory(country=lt, title="Moving initiative")
    InitiativeFactory(country=lt, title="Staying initiative")
    cached("/countries/lt/", "/countries/lv/")

    initiative.status = Status.DRAFT
    initiative.save()
    html = get("/countries/lt/")[1]
    assert "Moving initiative" not in html and "Staying initiative" in html

    initiative.status = Status.PUBLISHED
    initiative.save()
    assert "Moving initiative" in get("/countries/lt/")[1]

    initiative.country = lv
    initiative.save()
    assert "Moving initiative" not in get("/countries/lt/")[1]
    assert "Moving initiative" in get("/countries/lv/")[1]


def test_initiative_fragments_when_the_cache_fails(lt, monkeypatch):
    """A cache that fails while the fragments are read: the entries are rendered, not lost."""
    from portal import page_cache

    monkeypatch.setattr(page_cache, "health", page_cache.CacheHealth())  # this test's own
    InitiativeFactory(country=lt, title="Rendered without the cache")
    cached("/countries/lt/")
    InitiativeFactory(country=lt, title="Added while the cache fails")

    original = page_cache.versions

    def failing_for_records(keys):
        if any(":r:" in key for key in keys):  # the record fragments' versions only
            raise ConnectionError("cache down")
        return original(keys)

    monkeypatch.setattr(page_cache, "versions", failing_for_records)
    html = Client().get("/countries/lt/").content.decode()
    assert "Rendered without the cache" in html and "Added while the cache fails" in html
    assert not page_cache.health.trusted  # told, and the page not kept


def test_a_page_from_fragments_is_the_page_rendered_without_the_cache(lt):
    from tests.profiles.factories import InitiativeOrganisationFactory, ThemeFactory

    theme = ThemeFactory(name="Education")
    initiatives = [
        InitiativeFactory(country=lt, title=f"Entry {n}", year=2000 + n % 3, themes=[theme])
        for n in range(6)
    ]
    InitiativeOrganisationFactory(initiative=initiatives[1], organisation=OrganisationFactory())

    def uncached():
        with override_settings(PAGE_CACHE_SECONDS=0):
            return Client().get("/countries/lt/").content.decode()

    assert get("/countries/lt/")[1] == uncached()
    initiatives[4].title = "Entry four, corrected"
    initiatives[4].save()
    served, html = get("/countries/lt/")  # five entries from the cache, one rendered
    assert served == "miss" and html == uncached()
