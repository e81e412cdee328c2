import pytest

from portal.models import Status
from tests.profiles.factories import CountryFactory


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
@pytest.mark.parametrize("count", [1, 50])
def test_home_query_count_does_not_grow_with_countries(client, django_assert_num_queries, count):
    CountryFactory.create_batch(count)
    with django_assert_num_queries(1):
        response = client.get("/")
    assert response.content.decode().count('class="card"') == count


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
