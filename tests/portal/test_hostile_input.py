"""Every public URL against hostile query strings: never a 500, never markup reflected unescaped.

The URLs come from the URL resolver (everything outside /admin/); the parameters of detail
pages come from the Lithuania fixtures (any published record's own address that resolves to the
same kind of pattern). The query-string names come from the forms each page shows, plus the
common ones (q, page, year, format, ...).
"""

import re
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from laws.models import Provision
from library.models import Author, Report
from portal.management.commands.load_demo_data import demo_fixture_files
from profiles.models import Country, Initiative, Organisation

MARKUP = "<script>alert(1)</script>"
COMMON_NAMES = (
    "q",
    "page",
    "year",
    "year_min",
    "year_max",
    "country",
    "type",
    "kind",
    "topic",
    "theme",
    "format",
    "sort",
    "status",
)
HOSTILE_VALUES = {
    "negative": "-1",
    "huge": "99999999999999999999",
    "text": "abc",
    "five digit year": "20155",
    "markup": MARKUP,
    "nul byte": "a\x00b",
    "5000 characters": "x" * 5000,
    "unknown choice": "no-such-choice",
    "quotes and operators": '"unbalanced AND * NEAR(',
}
ALLOWED = {200, 400}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or str(entry.pattern).startswith("admin/"):
                continue  # the admin and its help pages are for signed-in staff
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def public_url_names():
    return sorted({name for name, _pattern in _walk(get_resolver().url_patterns)})


def _record_urls():
    """Addresses of published fixture records, as resolver matches."""
    urls = [c.get_absolute_url() for c in Country.objects.published()]
    for model in (Initiative, Organisation, Report, Author):
        urls += [obj.get_absolute_url() for obj in model.objects.published()[:3]]
    urls += [p.get_absolute_url() for p in Provision.objects.public().select_related("act")[:3]]
    return [resolve(url) for url in urls]


def public_urls():
    """One URL for every named public pattern, with parameters from the fixtures."""
    matches = _record_urls()
    urls = {}
    for name, pattern in _walk(get_resolver().url_patterns):
        keys = set(pattern.pattern.converters)
        if not keys:
            urls[name] = reverse(name)
            continue
        # The record's own page, else a sibling (report-bibtex: report-detail), else any page
        # with the same parameters (country-changes: country-detail).
        same_kind = [m for m in matches if set(m.kwargs) == keys]
        sibling = name.split("-")[0] + "-"
        best = (
            [m for m in same_kind if m.view_name == name]
            or [m for m in same_kind if m.view_name.startswith(sibling)]
            or same_kind
        )
        assert best, f"no fixture record gives the parameters {keys} of {name}"
        urls[name] = reverse(name, kwargs=best[0].kwargs)
    return urls


def form_field_names(html):
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html))


@pytest.fixture
def site(db, client):
    call_command("loaddata", *[str(f) for f in demo_fixture_files()], verbosity=0)
    call_command("rebuild_search_index", verbosity=0)
    urls = public_urls()
    names = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        content = b"".join(response) if response.streaming else response.content
        names[name] = set(COMMON_NAMES) | form_field_names(content.decode(errors="replace"))
    return {"urls": urls, "names": names}


def check(response, url):
    assert response.status_code in ALLOWED, f"{url} answered {response.status_code}"
    content = b"".join(response) if response.streaming else response.content
    assert MARKUP.encode() not in content, f"{url} reflects markup unescaped"


def test_every_public_url_is_covered(site):
    assert set(site["urls"]) == set(public_url_names())
    for name in ("search", "profiles:country-detail", "laws:provision-detail", "sitemap"):
        assert name in site["urls"]


@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_hostile_values_in_every_parameter(site, client, value):
    for name, url in site["urls"].items():
        params = dict.fromkeys(site["names"][name], value)
        check(client.get(url, params), url)


def test_repeated_parameters(site, client):
    for name, url in site["urls"].items():
        query = "&".join(f"{field}=1&{field}=abc" for field in site["names"][name])
        check(client.get(f"{url}?{query}&country=LT&country=LV&page=1&page=2"), url)


def test_one_hostile_parameter_at_a_time(site, client):
    """Pages that validate the whole form at once might hide a field that fails on its own."""
    for name, url in site["urls"].items():
        for field in site["names"][name]:
            for value in (MARKUP, "a\x00b"):
                check(client.get(url, {field: value}), f"{url}?{field}={quote(value)}")


def test_unknown_format(site, client):
    for url in site["urls"].values():
        check(client.get(url, {"format": "unknown"}), url)


def test_unknown_slugs_are_404(site, client):
    for name, _pattern in _walk(get_resolver().url_patterns):
        keys = set(_pattern.pattern.converters)
        if not keys:
            continue
        url = reverse(name, kwargs=dict.fromkeys(keys, "no-such-record"))
        response = client.get(url, {"q": MARKUP})
        assert response.status_code == 404, url
        assert MARKUP.encode() not in response.content
