"""'Did you mean': the closest indexed words to the words of a query that found nothing.

PostgreSQL: one query finds the index entries whose text is most similar (pg_trgm word similarity,
accent-insensitive, served by the trigram indexes of portal migration 0002). SQLite (development):
one query reads the titles and the start of the texts. Either way the candidate words are then
compared with difflib. A suggestion is only used if searching it finds published records, so a
word that occurs only in drafts never shows.
"""

import difflib
import re

from django.db import connection

from .text import fold

MAX_CANDIDATE_ROWS = 30
_WORDS = re.compile(r"[^\W\d_]{3,}")


def _candidate_texts(words):
    if connection.vendor == "postgresql":
        condition = (
            "f_unaccent(%s) <%% f_unaccent(title_text) OR f_unaccent(%s) <%% f_unaccent(body_text)"
        )
        conditions = " OR ".join([condition] * len(words))
        params = [w for word in words for w in (word, word)]
        sql = (
            "SELECT title_text, left(body_text, 2000) FROM modelsearch_indexentry "  # noqa: S608
            f"WHERE {conditions} LIMIT %s"
        )
        params.append(MAX_CANDIDATE_ROWS)
    else:
        sql = "SELECT title, substr(body, 1, 500) FROM modelsearch_indexentry"
        params = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [" ".join(t for t in row if t) for row in cursor.fetchall()]


def suggest(query):
    """The query with each unknown word replaced by the closest known one, or ''."""
    words = query.split()
    checked = [w for w in words if _WORDS.fullmatch(w)]
    if not checked:
        return ""
    vocabulary = {}
    for text in _candidate_texts(checked):
        for word in _WORDS.findall(text):
            vocabulary.setdefault(fold(word), word)
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
