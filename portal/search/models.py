"""The search index: one row per public record.

Only the columns every database shares are declared here. Migration 0001 adds the rest per
database, outside Django's model state:

- PostgreSQL: `countries int[]`, `title_vector tsvector` (the title alone, for cheap ranking) and
  `vector tsvector` (title weight A, text weight B), all computed by the PostgreSQL backend
  (`portal/search/backends/postgres.py`) on insert with the `portal_english` configuration; GIN
  indexes on the vectors and on `countries`, a trigram index on `search_word.folded`. The record
  text itself is not stored: the row stays narrow, so counting tens of thousands of matches reads
  few pages.
- SQLite: an FTS5 table `search_entry_fts(title, body)` (rowid = entry id, Porter stemmer,
  diacritics removed), emptied by a trigger when entries are deleted.
"""

from django.db import models


class SearchEntry(models.Model):
    kind = models.CharField(max_length=16)  # a SearchType key: "reports", "provisions", ...
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=600)
    year = models.SmallIntegerField(null=True)
    country_ids = models.CharField(max_length=2000, blank=True)  # "12 34": the facet countries

    class Meta:
        db_table = "search_entry"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_kind_object")
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {self.title}"


class SearchWord(models.Model):
    """The words of indexed titles and texts, for "did you mean" (never emptied by edits)."""

    folded = models.CharField(max_length=64, primary_key=True)  # lower case, no accents
    word = models.CharField(max_length=64)  # as first seen

    class Meta:
        db_table = "search_word"

    def __str__(self):
        return self.word
