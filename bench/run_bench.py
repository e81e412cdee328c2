"""`make bench`: generate realistic volumes in a scratch database and measure, in one run:

- SQL queries of a country page with 1 country and with 200 countries (must be equal);
- country page latency (median, p95) against a trivial Django view in the same process: served
  from the whole-page cache (what readers get; local memory and, when it answers, Redis), for the
  first reader after an edit of one initiative (the page rendered, the sections the edit did not
  touch from the cache) and rendered with every cache off;
- global search latency against a plain `icontains` filter over the same fields and records;
- the CSV download of every public report (`/library/?format=csv`) at about 1/13 of the reports
  and at all of them: time, SQL queries, Python's peak memory (flat: the rows are streamed), and
  PostgreSQL's `COPY ... TO` of the same rows (bench/downloads.py);
- API list latency (median, p95) on the first page and on a deep one (95 % of the way through)
  of every report, and the SQL queries of each page (cursor pagination: they must match).

Needs DATABASE_URL pointing at a scratch database (it is flushed). Writes the summary to stdout
and to bench-out/summary.{txt,json}. BENCH_SCALE (default 1) scales every volume down for a
quick run; BENCH_COUNTRIES (default 200) and BENCH_EXTRA_REPORTS (default 100000) set the rest.
BENCH_PARTS (default "pages,search,downloads,api") chooses the measurements after the generation.
BENCH_REUSE=1 keeps the records of an earlier run of the same volume instead of generating them
again (measuring a change against the same data; the summary says whether the data was reused).
"""

import base64
import json
import os
import resource
import statistics
import sys
import time
from functools import reduce
from operator import and_, or_
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
os.environ["DJANGO_DEBUG"] = "false"
# Generating and downloading the full volume has statements longer than a page's limit.
os.environ.setdefault("DJANGO_DB_STATEMENT_TIMEOUT_MS", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import clear_url_caches  # noqa: E402

from bench import downloads  # noqa: E402
from bench.generate import Generator  # noqa: E402
from library.models import Author, Report  # noqa: E402
from portal.search.models import SearchEntry  # noqa: E402
from portal.search.query import PER_PAGE, search  # noqa: E402
from portal.search.text import clean_query  # noqa: E402
from portal.search.types import SEARCH_TYPES  # noqa: E402
from profiles.models import Country, Initiative  # noqa: E402

OUT = ROOT / "bench-out"
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
COUNTRIES = int(os.environ.get("BENCH_COUNTRIES", "200"))
EXTRA_REPORTS = int(int(os.environ.get("BENCH_EXTRA_REPORTS", "100000")) * SCALE)
REPEAT = int(os.environ.get("BENCH_REPEAT", "40"))
PARTS = set(os.environ.get("BENCH_PARTS", "pages,search,downloads,api").split(","))
REUSE = os.environ.get("BENCH_REUSE", "") not in ("", "0", "false")
API_PAGE_SIZE = 50

# The plain alternative: every text field the index covers, one icontains per word and field.
ICONTAINS_FIELDS = {
    "countries": ("name", "iso_code", "region", "summary"),
    "initiatives": ("title", "body", "source_name", "country__name"),
    "organisations": ("name", "acronym", "national_name", "description"),
    "channels": ("name", "accepts", "how_to_reach", "description", "phone", "organisation__name"),
    "reports": (
        "title",
        "corporate_author",
        "publisher",
        "summary",
        "authors__family_name",
        "authors__given_names",
    ),
    "authors": ("family_name", "given_names"),
    "provisions": ("number", "title", "summary", "penalty_note", "act__title"),
    "instruments": ("short_name", "title", "summary"),
}


def icontains_search(raw_query):
    """Counts and the first page of every type, matching each word somewhere (no ranking)."""
    words = clean_query(raw_query).split()
    hits, total = [], 0
    for search_type in SEARCH_TYPES:
        fields = ICONTAINS_FIELDS[search_type.key]
        condition = reduce(
            and_, [reduce(or_, [Q(**{f"{f}__icontains": w}) for f in fields]) for w in words]
        )
        matches = search_type.public().filter(condition).distinct()
        total += matches.count()
        hits += list(matches.order_by("pk")[:PER_PAGE])
    return total, hits


def timed(function, repeat=REPEAT, warmup=3):
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
    }


def timed_after(change, function, repeat=REPEAT, warmup=3):
    """Like `timed`, of `function` alone, each run right after `change()`."""
    for _ in range(warmup):
        change()
        function()
    samples = []
    for _ in range(repeat):
        change()
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
    }


def country_page_queries(client, country):
    """Queries of the rendered page (the whole-page cache off: a hit runs none)."""
    url = country.get_absolute_url()
    with override_settings(PAGE_CACHE_SECONDS=0):
        client.get(url)  # warm caches (content types, templates) as any earlier request would
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def redis_answers(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


def country_page_latency(client, url, iso_code, trivial):
    """The page from the cache (local memory, then Redis) and rendered, each against `trivial`."""

    def against_trivial(page):
        return {
            **page,
            "ratio_median": round(page["median_ms"] / trivial["median_ms"], 1),
            "ratio_p95": round(page["p95_ms"] / trivial["p95_ms"], 1),
        }

    def cached():
        cache.clear()
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
        return against_trivial(timed(lambda: client.get(url), repeat=REPEAT * 5))

    result = {"trivial_view": trivial, "cached, local memory": cached()}
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    if redis_answers(redis_url):
        redis = {
            "BACKEND": "portal.cache_backend.PortalRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "portal-bench",
        }
        with override_settings(CACHES={"default": redis}):
            result["cached, Redis"] = cached()
            cache.clear()
    # The first reader after an edit of one of the country's initiatives: the page and the
    # sections the edit touched are rendered, the other sections come from the cache.
    initiative = Initiative.objects.public().filter(country__iso_code=iso_code).first()

    def edit():
        initiative.save()

    cache.clear()
    result["first reader after an edit, local memory"] = against_trivial(
        timed_after(edit, lambda: client.get(url))
    )
    with override_settings(PAGE_CACHE_SECONDS=0):
        result["rendered, cache off"] = against_trivial(timed(lambda: client.get(url)))
    return result


def api_page(client, url):
    """(SQL queries, records) of one API page; it must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:200])
    return len(captured.captured_queries), len(response.json()["results"])


def api_latency(client):
    """The reports' API list: its first page against one 95 % of the way through (a cursor
    there, as following `next` would reach), and the queries of each."""
    url = f"/api/v1/reports/?page_size={API_PAGE_SIZE}"
    public = Report.objects.public().order_by("pk")
    total = public.count()
    position = public.values_list("pk", flat=True)[int(total * 0.95)]
    cursor = base64.b64encode(f"p={position}".encode()).decode()
    deep = f"{url}&cursor={cursor}"
    # No rate limit and no revalidation: every request renders its page.
    with override_settings(PORTAL_API_RATE="100000000/second", PORTAL_CONDITIONAL_GET=False):
        queries_first, records_first = api_page(client, url)
        queries_deep, records_deep = api_page(client, deep)
        first = timed(lambda: client.get(url))
        deep_page = timed(lambda: client.get(deep))
        filtered = timed(lambda: client.get(f"{url}&year_min=2015&type=survey"))
    return {
        "reports": total,
        "page_size": API_PAGE_SIZE,
        "first_page": first,
        "deep_page": {**deep_page, "position": int(total * 0.95)},
        "filtered_first_page": filtered,
        "ratio_median": round(deep_page["median_ms"] / first["median_ms"], 2),
        "ratio_p95": round(deep_page["p95_ms"] / first["p95_ms"], 2),
        "sql_queries": {"first page": queries_first, "deep page": queries_deep},
        "records": {"first page": records_first, "deep page": records_deep},
        "targets_met": deep_page["median_ms"] / first["median_ms"] <= 2
        and queries_first == queries_deep,
    }


def log(message):
    sys.stdout.write(f"[{time.strftime('%H:%M:%S')}] {message}\n")
    sys.stdout.flush()


def _generated_before():
    """Whether the database holds what a generation of this volume leaves behind."""
    return (
        Country.objects.count() == COUNTRIES
        and Report.objects.filter(slug__startswith="bench-extra-").count() == EXTRA_REPORTS
    )


def _generate(client, summary):
    """Generate every record; (the first country, its page's queries with one country)."""
    started = time.perf_counter()
    generator = Generator()
    generator.make_authors(max(50, int(5000 * SCALE)))
    first = generator.make_country(0, SCALE)
    queries_one = country_page_queries(client, first)
    log(f"1 country: country page runs {queries_one} queries")
    for n in range(1, COUNTRIES):
        generator.make_country(n, SCALE)
        if n % 25 == 0:
            log(f"{n + 1} countries generated")
    generator.make_reports(EXTRA_REPORTS, prefix="extra")
    summary["generate_s"] = round(time.perf_counter() - started, 1)
    return first, queries_one


def main():
    if connection.vendor != "postgresql":
        log(f"warning: running on {connection.vendor}; the targets are for PostgreSQL")
    settings.ROOT_URLCONF = "bench.urls"
    clear_url_caches()
    call_command("migrate", verbosity=0)
    # A browser's Accept-Encoding, as readers send (cached pages are kept gzipped).
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    summary = {
        "database": connection.vendor,
        "scale": SCALE,
        "countries": COUNTRIES,
        "extra_reports": EXTRA_REPORTS,
        "repeat": REPEAT,
    }
    if REUSE and _generated_before():
        summary["reused_data"] = True
        first = Country.objects.order_by("pk").first()
        queries_one = None
        log("reusing the records of an earlier run of the same volume")
    else:
        call_command("flush", interactive=False, verbosity=0)
        first, queries_one = _generate(client, summary)
    queries_all = country_page_queries(client, first)
    last = Country.objects.order_by("-pk").first()
    queries_last = country_page_queries(client, last)
    summary["country_page_queries"] = {
        "1 country": queries_one if queries_one is not None else queries_all,
        f"{COUNTRIES} countries": queries_all,
        f"{COUNTRIES} countries, another": queries_last,
        "equal": queries_one == queries_all == queries_last,
    }
    summary["rows"] = {
        "countries": Country.objects.count(),
        "reports": Report.objects.count(),
        "authors": Author.objects.count(),
        **{t.key: t.model.objects.count() for t in SEARCH_TYPES if t.key not in ("countries",)},
    }
    log(f"generated in {summary.get('generate_s', 'an earlier run')} s: {summary['rows']}")

    reuse_index = summary.get("reused_data") and SearchEntry.objects.exists()
    if PARTS & {"pages", "search"} and not reuse_index:  # the index serves those two
        started = time.perf_counter()
        call_command("rebuild_search_index", verbosity=0)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        summary["index_s"] = round(time.perf_counter() - started, 1)
        summary["index_entries"] = SearchEntry.objects.count()
        log(f"indexed {summary['index_entries']} entries in {summary['index_s']} s")

    if "pages" in PARTS:
        # Country page against a trivial view, same process, same middleware.
        trivial = timed(lambda: client.get("/bench/trivial/"), repeat=REPEAT * 5)
        summary["country_page"] = country_page_latency(
            client, first.get_absolute_url(), first.iso_code, trivial
        )
        log(f"country page {summary['country_page']}")

    if "search" in PARTS:
        # Search: a rare name, a typo, common words, a provision number.
        author = Author.objects.order_by("pk")[Author.objects.count() // 2]
        queries = {
            "author name": author.family_name,
            "typo in a name": author.family_name[:-2] + author.family_name[-1:],
            "two common words": "online safety",
            "stemmed word": "policies",
            "rare pair": "grooming removal",
            "provision number": "120.1",
        }
        summary["search"] = {}
        for label, query in queries.items():
            indexed = timed(lambda q=query: search(q))
            plain = timed(lambda q=query: icontains_search(q), repeat=max(5, REPEAT // 4), warmup=1)
            with CaptureQueriesContext(connection) as captured:
                found = search(query)
            summary["search"][label] = {
                "query": query,
                "hits": found.total,
                "sql_queries": len(captured.captured_queries),
                "corrected_to": found.query if found.corrected_from else "",
                "icontains_hits": icontains_search(query)[0],
                "search": indexed,
                "icontains": plain,
                "speedup_median": round(plain["median_ms"] / indexed["median_ms"], 1),
                "speedup_p95": round(plain["p95_ms"] / indexed["p95_ms"], 1),
                "hits_estimated": bool(getattr(found.total, "approximate", False)),
                "targets_met": indexed["p95_ms"] <= 50
                and plain["median_ms"] / indexed["median_ms"] >= 20,
            }
            log(f"search {label!r}: {summary['search'][label]}")
        page_url = f"/search/?q={queries['author name']}"
        summary["search_page"] = timed(lambda: client.get(page_url))

    if "downloads" in PARTS:
        reports = Report.objects.public().count()
        summary["downloads"] = downloads.measure(client, max(1, reports // 13), log)

    if "api" in PARTS:
        summary["api"] = api_latency(client)
        log(f"API {summary['api']}")

    summary["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    OUT.mkdir(exist_ok=True)
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2))
    text = json.dumps(summary, indent=2)
    (OUT / "summary.txt").write_text(text + "\n")
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
