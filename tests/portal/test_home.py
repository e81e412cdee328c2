import pytest

from portal.models import Status
from portal.world_map import map_data, profile_parts
from tests.html_tree import parse
from tests.library.factories import ReportFactory
from tests.profiles.factories import CountryFactory, IndicatorValueFactory, InitiativeFactory


def home_tree(client):
    response = client.get("/")
    assert response.status_code == 200
    return parse(response.content)


def map_links(tree):
    svg = tree.find("svg", class_="world-map-svg")
    return {a.attrs["href"]: a for a in svg.find_all("a")}


@pytest.mark.django_db
def test_home_lists_published_countries_only(client):
    CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania")
    CountryFactory(name="Draftland", status=Status.DRAFT)
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Lithuania" in body
    assert 'href="/countries/lt/"' in body
    assert "Draftland" not in body


@pytest.mark.django_db
def test_map_links_every_published_country_and_no_other(client):
    published = [
        CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania"),
        CountryFactory(name="Latvia", iso_code="LV", slug="latvia"),
        CountryFactory(name="Malta", iso_code="MT", slug="malta"),  # a dot: too small a shape
    ]
    CountryFactory(name="France", iso_code="FR", slug="france", status=Status.DRAFT)
    CountryFactory(name="Estonia", iso_code="EE", slug="estonia", status=Status.WITHDRAWN)
    off_map = CountryFactory(name="Nowhere", iso_code="QQ", slug="nowhere")
    tree = home_tree(client)
    links = map_links(tree)
    assert set(links) == {country.get_absolute_url() for country in published}
    for country in published:
        link = links[country.get_absolute_url()]
        assert link.attrs["aria-label"].startswith(f"{country.name}: profile ")
        assert link.find("title").text.startswith(country.name)
        assert link.find("path") or link.find("circle")
    assert "MT" in map_data()["dots"] and "LT" in map_data()["shapes"]
    # No shape at all: named below the map instead, still a link.
    caption = tree.find("div", class_="world-map").find("figcaption")
    assert "Not on the map" in caption.text
    assert caption.find("a", href=off_map.get_absolute_url())
    assert off_map.get_absolute_url() not in links


@pytest.mark.django_db
def test_map_shades_countries_by_how_complete_their_profile_is(client):
    full = CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania")
    empty = CountryFactory(name="Latvia", iso_code="LV", slug="latvia")
    InitiativeFactory(country=full)
    IndicatorValueFactory(country=full)
    InitiativeFactory(country=empty, status=Status.DRAFT)  # drafts do not count
    parts = len(profile_parts())
    assert parts >= 8  # every country-related record type counts, from the registry
    tree = home_tree(client)
    links = map_links(tree)
    assert "band-1" in links["/countries/lv/"].attrs["class"]
    assert links["/countries/lv/"].attrs["aria-label"] == "Latvia: profile 0% complete"
    percent = round(2 / parts * 100)
    assert links["/countries/lt/"].attrs["aria-label"] == f"Lithuania: profile {percent}% complete"
    rows = {
        row.find("th").text: [td.text for td in row.find_all("td")]
        for row in tree.find("details", class_="chart-data").find_all("tr")
        if row.find("td")
    }
    assert rows == {
        "Latvia": [f"0 of {parts}", "0%"],
        "Lithuania": [f"2 of {parts}", f"{percent}%"],
    }
    legend = tree.find("ul", class_="map-legend").text
    assert "less than a quarter" in legend and "three quarters or more" in legend


@pytest.mark.django_db
def test_home_counts_link_to_their_lists(client):
    lithuania = CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania")
    InitiativeFactory.create_batch(3, country=lithuania)
    InitiativeFactory(country=lithuania, status=Status.DRAFT)
    ReportFactory.create_batch(2)
    tree = home_tree(client)
    counts = {
        a.find("span", class_="headline-label").text: (
            a.attrs["href"],
            a.find("span", class_="headline-number").text,
        )
        for a in tree.find("ul", class_="headline-counts").find_all("a")
    }
    assert counts["Countries"] == ("/countries/", "1")
    assert counts["Initiatives"] == ("/initiatives/", "3")
    assert counts["Reports"] == ("/library/", "2")
    assert counts["Organisations"] == ("/organisations/", "0")
    assert counts["Legal provisions"] == ("/laws/", "0")


@pytest.mark.django_db
def test_home_shows_latest_changes_and_newest_research(client):
    lithuania = CountryFactory(name="Lithuania", iso_code="LT", slug="lithuania")
    InitiativeFactory(country=lithuania, title="Safer Internet week")
    InitiativeFactory(country=lithuania, title="A draft plan", status=Status.DRAFT)
    ReportFactory(title="Children online, 2024", year=2024)
    ReportFactory(title="An unpublished study", year=2025, status=Status.DRAFT)
    tree = home_tree(client)
    changes = tree.find("ol", class_="latest-changes").text
    assert "Safer Internet week" in changes
    assert "A draft plan" not in changes
    research = tree.find("section", id="newest-research").text
    assert "Children online, 2024" in research
    assert "An unpublished study" not in research
    search = tree.find("form", class_="home-search")
    assert search.attrs["action"] == "/search/"
    assert search.find("input", type="search").attrs["name"] == "q"


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 50])
def test_home_query_count_does_not_grow_with_countries(client, django_assert_num_queries, count):
    countries = CountryFactory.create_batch(count)
    for country in countries:
        InitiativeFactory(country=country)
        ReportFactory(countries=[country])
    # Counts (one per listed type), countries, the map's completeness, one query per record type
    # for the latest changes, and the newest research with its authors, topics and countries.
    with django_assert_num_queries(EXPECTED_HOME_QUERIES):
        response = client.get("/")
    cards = response.content.decode().count('class="card"')
    assert cards == count + min(count, 4)  # the country cards and the newest research


EXPECTED_HOME_QUERIES = 28


@pytest.mark.django_db
def test_home_escapes_country_text(client):
    CountryFactory(name="<script>alert(1)</script>")
    body = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.django_db
def test_unknown_page_uses_the_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Skip to content" in response.content.decode()
