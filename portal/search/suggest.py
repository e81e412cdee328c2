"""'Did you mean': the closest indexed words to the words of a query that found nothing.

The vocabulary (the database backends' `search_word`) is every word (3+ letters) of the titles and
texts written to the index, folded (lower case, no accents), with the spelling first seen. Words of
records that later stop being public stay in it, so a suggestion is only used when searching it
finds published records (portal/search/query.py); drafts are never indexed, so their words never
appear.

The search backend finds the candidates (`similar_words`: on PostgreSQL one query takes, for
every word of the query, the most similar known words by pg_trgm similarity; on SQLite one query
reads the vocabulary); difflib then picks the closest.
"""

import difflib
import re

from .backends import get_backend
from .text import fold

_WORDS = re.compile(r"[^\W\d_]{3,64}")


def suggest(query):
    """The query with each unknown word replaced by the closest known one, or ''."""
    words = query.split()
    checked = sorted({fold(w) for w in words if _WORDS.fullmatch(w)})
    if not checked:
        return ""
    vocabulary = get_backend().similar_words(checked)
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
