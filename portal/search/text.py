"""Query cleaning, accent folding, highlighted snippets.

Highlighting escapes the record's text first and wraps only the matched words in <mark>; the
result is built from escaped pieces, so no raw data is ever marked safe.
"""

import functools
import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
SNIPPET_CHARS = 240

# Characters with a meaning in the FTS5 / tsquery syntax or none in words; words keep letters,
# digits and the dots of provision numbers ("151.1").
_NOT_WORD = re.compile(r"[^\w.'’-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SUFFIXES = ("ies", "es", "ing", "ed", "s", "y")


def clean_query(raw):
    """The words of a query string, as a single space-separated string (may be empty)."""
    text = _CONTROL.sub(" ", raw or "")[: MAX_QUERY_LENGTH * 2]
    words = [w.strip(".'’-") for w in _NOT_WORD.split(text)]
    words = [w for w in words if w]
    return " ".join(words[:MAX_TERMS])[:MAX_QUERY_LENGTH].strip()


@functools.lru_cache(maxsize=8192)
def fold_char(char):
    """One character without its accents, lower-case: 'Ų' -> 'u'. Always one character."""
    base = unicodedata.normalize("NFKD", char)[:1] or char
    lowered = base.lower()
    return lowered if len(lowered) == 1 else base


def fold(text):
    """`text` without accents, lower-case, with the same length (positions line up)."""
    if text.isascii():  # nothing to take off, and lower() keeps every ASCII length
        return text.lower()
    return "".join(map(fold_char, text))


def stem(word):
    """A crude prefix for highlighting: 'policies' -> 'polic', so 'policy' is marked too."""
    word = fold(word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def match_pattern(query):
    stems = sorted({stem(w) for w in query.split() if len(w) > 1}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(s) for s in stems) + r")[\w.]*")


def highlight(text, pattern):
    """Escaped `text` with every match of `pattern` (searched accent-insensitively) in <mark>."""
    if not text:
        return ""
    if pattern is None:
        return escape(text)
    parts, last = [], 0
    for match in pattern.finditer(fold(text)):
        start, end = match.span()
        parts.append(escape(text[last:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def snippet(text, pattern, length=SNIPPET_CHARS):
    """About `length` characters of `text` around its first match, highlighted."""
    text = " ".join((text or "").split())
    if len(text) > length:
        match = pattern.search(fold(text)) if pattern else None
        start = max(0, match.start() - length // 3) if match else 0
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 < space < start + 30 else start
        end = min(len(text), start + length)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start + length // 2 else end
        text = ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")
    return highlight(text, pattern)
