"""The Atom change feed as a feed reader reads it (feedparser)."""

import feedparser
import pytest

from portal.models import Status
from tests.profiles.factories import CountryFactory, InitiativeFactory

pytestmark = pytest.mark.django_db

MARKUP_TITLE = "<b>Bold</b> & <script>x</script>"


def test_record_titles_reach_feed_readers_as_literal_text(client):
    lithuania = CountryFactory(iso_code="LT", name="Lithuania", slug="lithuania")
    initiative = InitiativeFactory(country=lithuania, title=MARKUP_TITLE, status=Status.PUBLISHED)
    assert MARKUP_TITLE in str(initiative)
    response = client.get("/countries/lt/changes/feed/")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    [entry] = [e for e in feed.entries if "Initiative" in e.title]
    assert entry.title_detail.type == "text/plain"
    assert entry.title == f"Published: Initiative · {initiative}"
    assert entry.summary_detail.type == "text/plain"
    assert entry.summary == f"Published initiative “{initiative}”."
