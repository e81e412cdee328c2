"""What the PostgreSQL and SQLite backends share: the index in the database's own tables.

`search_entry` (`portal.search.models.SearchEntry`) holds one row per public record and
`search_word` the vocabulary for "did you mean"; each database adds its full-text columns or table
(search migration 0001) and its SQL (`postgres.py`, `sqlite.py`). Upkeep runs in the caller's
transaction, so a rolled-back import or edit leaves no row behind.
"""

import re
from abc import abstractmethod

from django.db import connection, transaction

from portal.search.models import SearchEntry, SearchWord
from portal.search.text import fold
from portal.search_index import CHUNK, documents, types

from .base import SearchBackend, page_count

_WORDS = re.compile(r"[^\W\d_]{3,64}")


class DatabaseBackend(SearchBackend):
    # --- upkeep: a handful of queries per chunk of records, whatever its size ------------------

    def index(self, kind, ids):
        ids = list(ids)
        public = types()[kind].public()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            with transaction.atomic():
                SearchEntry.objects.filter(kind=kind, object_id__in=chunk).delete()
                rows = documents(kind, public.filter(pk__in=chunk))
                self.insert(kind, rows)
                self.add_words(rows)

    def unindex(self, kind, ids):
        SearchEntry.objects.filter(kind=kind, object_id__in=list(ids)).delete()

    def rebuild(self, stdout=None):
        self.empty()
        total = 0
        try:
            for search_type in types().values():
                public = search_type.public().order_by("pk")
                last = 0
                while True:
                    ids = list(public.filter(pk__gt=last).values_list("pk", flat=True)[:CHUNK])
                    if not ids:
                        break
                    last = ids[-1]
                    rows = documents(search_type.key, search_type.model.objects.filter(pk__in=ids))
                    with transaction.atomic():
                        self.insert(search_type.key, rows)
                        self.add_words(rows)
                    total += len(rows)
                if stdout is not None:
                    stdout.write(f"{search_type.key}: indexed\n")
        finally:
            self.filled()
        return total

    @abstractmethod
    def insert(self, kind, rows):
        """Write the entries of `rows` (`documents()` rows) in one statement (or a few)."""

    def empty(self):
        """Before a rebuild: no entry and no word left."""
        SearchEntry.objects.all().delete()
        SearchWord.objects.all().delete()

    def filled(self):
        """After a rebuild (also when it failed half-way)."""

    def add_words(self, rows):
        words = {}
        for _id, title, body, _year, _countries in rows:
            for word in _WORDS.findall(f"{title} {body}"):
                words.setdefault(fold(word), word)
        if words:
            SearchWord.objects.bulk_create(
                (SearchWord(folded=f, word=w) for f, w in words.items()),
                batch_size=CHUNK,
                ignore_conflicts=True,
            )

    # --- queries --------------------------------------------------------------------------------

    def search(self, query, filters, *, page, per_page, max_pages):
        matches = self.counts(query, filters)
        total = matches.total(filters.kind)
        matches.number = min(max(1, page), page_count(total, per_page, max_pages))
        if total:
            offset = (matches.number - 1) * per_page
            matches.rows = self.page(query, filters, matches, offset, per_page)
        return matches

    @abstractmethod
    def counts(self, query, filters):
        """`Matches` without rows: the counts of every type (whatever `filters.kind`) matching the
        query under the other filters."""

    @abstractmethod
    def page(self, query, filters, matches, offset, limit):
        """[(kind, object_id, score)] of one page of `filters.kind` (every type when empty)."""

    def similar_words(self, folded_words):
        return dict(SearchWord.objects.values_list("folded", "word"))

    @staticmethod
    def common_conditions(filters, *, with_kind=True):
        """(SQL conditions on the entry `e`, params) of the filters every database writes alike."""
        conditions, params = [], []
        if with_kind and filters.kind:
            conditions.append("e.kind = %s")
            params.append(filters.kind)
        for column, operator, value in (
            ("year", "=", filters.year),
            ("year", ">=", filters.year_min),
            ("year", "<=", filters.year_max),
        ):
            if value is not None:
                conditions.append(f"e.{column} {operator} %s")
                params.append(value)
        return conditions, params


def fetchall(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
