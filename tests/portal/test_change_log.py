"""The public change log and its feed: paged, grouped by day, one entry per change, and every
entry linking to a page that shows the record (its own page or the section that lists it)."""

import datetime
import re
from collections import Counter
from urllib.parse import urlsplit

import feedparser
import pytest
from django.core.management import call_command
from django.utils import timezone

from portal.changes import CHANGED, PUBLISHED, WITHDRAWN, ChangeLog, record_models
from portal.models import Status
from portal.permissions import country_relation
from portal.views import CHANGES_PER_PAGE
from profiles.models import Country
from tests.profiles.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'<td data-label="Change">(\w+)</td>\s*<td data-label="Record type">([^<]+)</td>\s*'
    r'<td data-label="Record">(.*?)</td>',
    re.S,
)


def rows(html):
    return ROW.findall(html)


def log_page(client, query=""):
    response = client.get(f"/countries/lt/changes/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_every_change_is_on_one_page_of_the_log_and_of_the_feed(client, lt):
    InitiativeFactory.create_batch(CHANGES_PER_PAGE + 10, country=lt)
    total = len(ChangeLog(lt))
    assert total == CHANGES_PER_PAGE + 11  # the initiatives and the country itself
    first, second = log_page(client), log_page(client, "?page=2")
    assert len(rows(first)) == CHANGES_PER_PAGE and len(rows(second)) == 11
    titles = [title for _, _, title in rows(first) + rows(second)]
    assert len(set(titles)) == total
    assert 'rel="next" href="?page=2"' in first
    assert "Page 2 of 2" in second
    # A bad page number shows the nearest page, never an error.
    assert rows(log_page(client, "?page=99")) == rows(second)
    assert rows(log_page(client, "?page=abc")) == rows(first)

    # The feed: RFC 5005 paging links; following "next" reaches every entry once.
    url, seen = "/countries/lt/changes/feed/", []
    while url:
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo, feed.bozo_exception
        links = {link.rel: link.href for link in feed.feed.links}
        assert links["alternate"].endswith("/countries/lt/changes/")  # the full log
        assert links["first"].endswith("?page=1") and links["last"].endswith("?page=2")
        seen += [entry.id for entry in feed.entries]
        url = (
            urlsplit(links["next"])._replace(scheme="", netloc="").geturl()
            if "next" in links
            else ""
        )
    assert len(seen) == len(set(seen)) == total


def test_a_short_feed_has_no_paging_links(client, lt):
    InitiativeFactory(country=lt)
    feed = feedparser.parse(client.get("/countries/lt/changes/feed/").content)
    assert {link.rel for link in feed.feed.links} == {"alternate", "self"}


def test_changes_are_grouped_by_day_newest_first(client, lt):
    days = [timezone.now() - datetime.timedelta(days=n) for n in (0, 1, 3)]
    for n, when in enumerate(days):
        for m in range(2):
            entry = InitiativeFactory(country=lt, title=f"Day {n} item {m}").history.get()
            entry.history_date = when - datetime.timedelta(minutes=m)
            entry.save()
    html = log_page(client)
    headings = re.findall(r'<h2 id="changes-(\d{4}-\d\d-\d\d)">', html)
    assert headings == sorted(headings, reverse=True)
    for n, when in enumerate(days):
        day = when.date().isoformat()
        start = html.index(f'id="changes-{day}"')
        end = html.find("<h2", start + 1)
        section = html[start : end if end > 0 else len(html)]
        assert f"Day {n} item 0" in section and f"Day {n} item 1" in section
        assert f"{when:%-d %B %Y}</time></h2>" in section


def test_the_demo_data_gives_one_entry_per_record_each_linking_to_a_page_showing_it(client):
    call_command("load_demo_data", verbosity=0)
    changes = ChangeLog(Country.objects.get(iso_code="LT"))[:]
    # One entry per record: no "published" then "changed" a few milliseconds apart.
    records = Counter((change.record_type, change.title) for change in changes)
    assert max(records.values()) == 1, records.most_common(3)
    assert {change.kind for change in changes} <= {PUBLISHED, CHANGED, WITHDRAWN}
    # Every entry links somewhere other than the home page, and the anchor is on that page.
    pages = {}
    for change in changes:
        assert change.url and change.url != "/", change
        path, _, anchor = change.url.partition("#")
        if path not in pages:
            response = client.get(path)
            assert response.status_code == 200, change.url
            pages[path] = response.content.decode()
        if anchor:
            assert f'id="{anchor}"' in pages[path], change.url
    assert any("#where-to-report" in c.url for c in changes)
    assert any("/legislation/#ages" in c.url for c in changes)
    # The same links in the HTML log and the feed.
    html = "".join(log_page(client, f"?page={n}") for n in (1, 2, 3))
    hrefs = re.findall(r'<td data-label="Record"><a href="([^"]+)">', html)
    assert len(hrefs) == len(changes)
    feed = feedparser.parse(client.get("/countries/lt/changes/feed/").content)
    assert all(urlsplit(entry.link).path not in ("", "/") for entry in feed.entries)


def test_a_withdrawn_record_links_to_the_log_in_the_feed(client, lt):
    initiative = InitiativeFactory(country=lt, title="Soon withdrawn")
    initiative.status = Status.WITHDRAWN
    initiative.save()
    feed = feedparser.parse(client.get("/countries/lt/changes/feed/").content)
    [entry] = [e for e in feed.entries if "Soon withdrawn" in e.title]
    assert entry.title.startswith("Withdrawn:")
    assert urlsplit(entry.link).path == "/countries/lt/changes/"


@pytest.mark.parametrize("pages", [1, 3])
def test_query_count_is_the_same_for_one_page_and_many(
    client, lt, pages, django_assert_num_queries
):
    InitiativeFactory.create_batch(CHANGES_PER_PAGE * pages, country=lt)
    tied = [m for m in record_models() if country_relation(m)[0] is not None]
    # The country; date and kind of every entry of each type tied to countries; the records of
    # the page's entries (initiatives only: the country's own entry is on the last page).
    with django_assert_num_queries(1 + len(tied) + 1):
        log_page(client)
