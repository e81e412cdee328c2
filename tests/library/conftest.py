import pytest
from django.conf import settings
from django.core.management import call_command

from library.models import Report

FIXTURES = [
    str(settings.BASE_DIR / "fixtures" / "00_countries.json"),
    str(settings.BASE_DIR / "fixtures" / "30_library.json"),
]


def load_library():
    call_command("loaddata", *FIXTURES, verbosity=0)
    return Report.objects.all()


@pytest.fixture
def library(db):
    return load_library()


# The research section of the Lithuania source page, copied verbatim into fixtures/source/ (the
# project never reads the original page at run or test time).
SEED = settings.BASE_DIR / "fixtures" / "source" / "lithuania_research.txt"
ENTRY_RE = r"^(?P<title>.+) \((?P<year>\d{4})\)$"


def seed_entries():
    """The page's "Title (Year) / authors / summary" entries, read from the page's own text.

    Returns (title, year, author line or "", summary) in page order.
    """
    import re

    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    entries = []
    for index, line in enumerate(lines):
        match = re.match(ENTRY_RE, line)
        if not match:
            continue
        following = [text for text in lines[index + 1 : index + 6] if text]
        # An entry without an author line goes straight to its summary (a full sentence).
        blank_after_title = lines[index + 1 : index + 3] == ["", ""]
        author = "" if blank_after_title else following[0]
        summary = following[0] if blank_after_title else following[1]
        entries.append((match["title"], int(match["year"]), author, summary))
    return entries


@pytest.fixture
def seed_author_lines():
    return [author for _, _, author, _ in seed_entries() if author]
