"""Parse author lines as sources print them into ordered person names and a corporate author.

    parse_author_line("Livingstone S., Kirwil, L. and Staksrud E., with the EU Kids Online network")

gives three PersonName (Livingstone S., Kirwil L., Staksrud E.) and the corporate author
"EU Kids Online network". Every spelling of a person shares one `match_key` (normalised family
name and first initial): "Livingstone, Sonia", "Livingstone S." and "S. Livingstone" are one person.
"""

import re
import unicodedata
from dataclasses import dataclass

APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
PARTICLES = {"de", "den", "der", "van", "von", "da", "di", "du", "del", "della", "la", "le", "ten"}
DEGREES = {"phd", "ph.d.", "ph.d", "md", "msc", "m.sc.", "ma", "ba", "mba", "dr", "dr.", "prof."}
# A segment naming one of these is an organisation, not a person.
CORPORATE_WORDS = {
    "network",
    "commission",
    "council",
    "centre",
    "center",
    "foundation",
    "organisation",
    "organization",
    "ministry",
    "union",
    "children",
    "institute",
    "association",
    "agency",
    "committee",
    "project",
    "group",
    "inc",
    "ltd",
    "intel",
}
INITIALS_RE = re.compile(r"^(?:[^\W\d_]\.?[\s-]*)+$")
INITIAL_RE = re.compile(r"[^\W\d_]")
TAIL_RE = re.compile(
    r",?\s+with\s+(?:members\s+of\s+)?(?:the\s+)?(?P<corporate>.+)$", re.IGNORECASE
)


@dataclass(frozen=True)
class PersonName:
    family: str
    given: str = ""  # fullest form given: "Sonia" or initials "E. J."

    @property
    def initials(self):
        return initials_of(self.given)

    @property
    def match_key(self):
        return match_key(self.family, self.given)

    def __str__(self):
        return f"{self.family}, {self.given}" if self.given else self.family


def fold(text):
    """Lower case, no accents, straight apostrophes."""
    text = unicodedata.normalize("NFKD", text.translate(APOSTROPHES))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def match_key(family, given):
    family_key = re.sub(r"[^a-z0-9]", "", fold(family))
    first = INITIAL_RE.search(fold(given))
    return f"{family_key}|{first.group(0) if first else ''}"


def is_initials(text):
    text = text.strip()
    if not text:
        return False
    letters = INITIAL_RE.findall(text)
    # "E.J.", "E. J.", "D", "J.A." but not "Sonia" or "Kaat"
    return bool(INITIALS_RE.match(text)) and (len(letters) == 1 or "." in text or text.isupper())


def initials_of(given):
    """'Sonia' -> 'S.', 'E.J.' -> 'E. J.', 'Jose Antonio' -> 'J. A.', 'J-P' -> 'J.-P.'."""
    if not given:
        return ""
    parts = []
    for word in given.replace(".", ". ").split():
        hyphenated = [INITIAL_RE.search(piece) for piece in word.split("-")]
        parts.append("-".join(f"{m.group(0).upper()}." for m in hyphenated if m))
    return " ".join(p for p in parts if p)


def tidy_given(given):
    """Initials get full stops and spaces ('E.J.' -> 'E. J.', 'D' -> 'D.'); names stay as given."""
    given = " ".join(given.split())
    return initials_of(given) if is_initials(given) else given


def fuller_given(a, b):
    """The fuller of two given-name forms: a full name beats initials; more initials beat fewer."""

    def rank(given):
        full_words = sum(1 for w in given.replace(".", " ").split() if len(w) > 1)
        return (full_words, len(INITIAL_RE.findall(initials_of(given))), len(given))

    return a if rank(a) >= rank(b) else b


def is_corporate(segment):
    words = {w.strip(".,").lower() for w in segment.split()}
    return bool(words & CORPORATE_WORDS)


def _is_family_only(token):
    """'Livingstone', 'de Haan', 'O'Neill': a family name whose given names follow after a comma."""
    words = token.split()
    return (
        len(words) == 1
        and not is_initials(token)
        or (len(words) > 1 and all(w.lower() in PARTICLES for w in words[:-1]))
    )


def _person_from_token(token):
    """One comma-free token naming a whole person."""
    words = token.split()
    if len(words) > 1 and is_initials(words[-1]) and not is_initials(words[0]):
        # "Livingstone S.", "Ponte C."
        return PersonName(" ".join(words[:-1]), tidy_given(words[-1]))
    lead = 0
    while lead < len(words) - 1 and is_initials(words[lead]):
        lead += 1
    if lead:
        # "S. Livingstone", "J. Menasce Horowitz"
        return PersonName(" ".join(words[lead:]), tidy_given(" ".join(words[:lead])))
    # "Melissa Stroebe": given names first; particles belong to the family name.
    split = len(words) - 1
    while split > 1 and words[split - 1].lower() in PARTICLES:
        split -= 1
    return PersonName(" ".join(words[split:]), " ".join(words[:split]))


def _clean_corporate(segment):
    segment = re.sub(r"^(?:the|members of the|members of)\s+", "", segment.strip(), flags=re.I)
    segment = segment.strip(" ,.")
    # "EU Kids Online Network" and "EU Kids Online network" are one network.
    return re.sub(r"\bNetwork$", "network", segment)


def parse_author_line(line):
    """(list of PersonName in order, corporate author or "")."""
    line = " ".join(line.translate(APOSTROPHES).split()).strip(" ,;")
    corporate = []
    tail = TAIL_RE.search(line)
    if tail:
        corporate.append(_clean_corporate(tail.group("corporate")))
        line = line[: tail.start()]
    line = re.sub(r",?\s+(?:and|&)\s+", ", ", line)
    tokens = [t.strip() for t in line.split(",") if t.strip()]
    tokens = [t for t in tokens if t.lower() not in DEGREES]
    people = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if is_corporate(token):
            corporate.append(_clean_corporate(token))
            i += 1
        elif _is_family_only(token) and i + 1 < len(tokens) and _is_given(tokens[i + 1]):
            people.append(PersonName(token, tidy_given(tokens[i + 1])))
            i += 2
        else:
            people.append(_person_from_token(token))
            i += 1
    return people, "; ".join(c for c in corporate if c)


def _is_given(token):
    """The token after a family name: initials ('E.J.') or one given name ('Sonia')."""
    return is_initials(token) or (
        len(token.split()) == 1 and not is_corporate(token) and token[:1].isupper()
    )


def parse_author_cell(cell):
    """A spreadsheet cell "Livingstone, Sonia; Haddon, Leslie" -> list of PersonName in order."""
    people = []
    for part in cell.split(";"):
        part = " ".join(part.translate(APOSTROPHES).split())
        if not part:
            continue
        if "," in part:
            family, _, given = part.partition(",")
            people.append(PersonName(family.strip(), tidy_given(given.strip())))
        else:
            people.append(_person_from_token(part))
    return people
