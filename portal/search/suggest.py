"""'Did you mean': the closest indexed words to the words of a query that found nothing.

The vocabulary is `search_word`: every word (3+ letters) of the titles and texts written to the
index, folded (lower case, no accents), with the spelling first seen. Words of records that later
stop being public stay in it, so a suggestion is only used when searching it finds published
records (portal/search/query.py); drafts are never indexed, so their words never appear.

PostgreSQL: one query takes, for every word of the query, the most similar known words (pg_trgm
similarity, served by the trigram index of search migration 0001). SQLite (development): one
query reads the vocabulary. Either way difflib then picks the closest.
"""

import difflib
import re

from django.db import connection

from .models import SearchWord
from .text import fold

CANDIDATES_PER_WORD = 10
_WORDS = re.compile(r"[^\W\d_]{3,64}")


def _candidates(folded_words):
    """{folded: spelling} of known words close to any of `folded_words`."""
    if connection.vendor == "postgresql":
        sql = """
            SELECT c.folded, c.word
            FROM unnest(%s::text[]) AS q(w)
            CROSS JOIN LATERAL (
                SELECT folded, word FROM search_word
                WHERE folded %% q.w
                ORDER BY similarity(folded, q.w) DESC, folded
                LIMIT %s
            ) c
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [folded_words, CANDIDATES_PER_WORD])
            return dict(cursor.fetchall())
    return dict(SearchWord.objects.values_list("folded", "word"))


def suggest(query):
    """The query with each unknown word replaced by the closest known one, or ''."""
    words = query.split()
    checked = sorted({fold(w) for w in words if _WORDS.fullmatch(w)})
    if not checked:
        return ""
    vocabulary = _candidates(checked)
    if not vocabulary:
        return ""
    changed = False
    corrected = []
    for word in words:
        folded = fold(word)
        if not _WORDS.fullmatch(word) or folded in vocabulary:
            corrected.append(word)
            continue
        close = difflib.get_close_matches(folded, vocabulary, n=1, cutoff=0.75)
        if close:
            corrected.append(vocabulary[close[0]])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else ""
