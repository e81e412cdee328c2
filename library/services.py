"""Multi-step writes and look-ups of the library: authors by matching key, duplicates, merges."""

import re

from django.db import transaction
from django.utils.text import slugify

from portal.models import Status

from .models import Author, Authorship, Report, ReportTitle
from .names import fold, fuller_given, initials_of

# Series names that sources put before a title ("EU Kids Online: National perspectives").
SERIES_PREFIXES = ("eu kids online",)


def normalise_title(title):
    """Case, accents, punctuation and a known series prefix do not make a different title."""
    text = fold(title)
    for prefix in SERIES_PREFIXES:
        if text.startswith(prefix + ":"):
            text = text[len(prefix) + 1 :]
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def find_duplicate_reports(*, title, year, exclude=None):
    """Reports of `year` whose title or alternative title normalises like `title`."""
    key = normalise_title(title)
    candidates = Report.objects.filter(year=year).prefetch_related("titles")
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk if hasattr(exclude, "pk") else exclude)
    return [
        report
        for report in candidates
        if key
        in {normalise_title(report.title)} | {normalise_title(t.title) for t in report.titles.all()}
    ]


def unique_slug(model, base, *, exclude_pk=None, max_length=120):
    base = (slugify(base)[: max_length - 6].strip("-")) or "item"
    slug, n = base, 2
    existing = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while existing.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def report_slug(title, year, *, exclude_pk=None):
    return unique_slug(Report, f"{title[:80]} {year}", exclude_pk=exclude_pk)


@transaction.atomic
def author_resolve(*, name, status=Status.PUBLISHED):
    """The Author record for a PersonName: matched by key, its given names upgraded if fuller.

    A new author is created when none matches.
    """
    author = Author.objects.filter(match_key=name.match_key).first()
    if author is None:
        author = Author(
            family_name=name.family,
            given_names=name.given,
            initials=name.initials,
            match_key=name.match_key,
            slug=unique_slug(Author, f"{name.family} {name.given}"),
            status=status,
        )
        author.full_clean()
        author.save()
        return author
    fuller = fuller_given(author.given_names, name.given)
    if fuller != author.given_names:
        author.given_names = fuller
        author.initials = initials_of(fuller)
        author.full_clean()
        author.save()
    return author


@transaction.atomic
def report_set_authors(*, report, authors):
    """Replace the report's author list with `authors` (Author records) in that order."""
    seen = []
    for author in authors:
        if author.pk not in seen:
            seen.append(author.pk)
    current = {a.author_id: a for a in report.authorships.all()}
    for author_id in set(current) - set(seen):
        current[author_id].delete()
    for position, author_id in enumerate(seen, start=1):
        authorship = current.get(author_id)
        if authorship is None:
            Authorship.objects.create(report=report, author_id=author_id, position=position)
        elif authorship.position != position:
            authorship.position = position
            authorship.save()


@transaction.atomic
def report_set_alternative_titles(*, report, titles):
    tidy = dict.fromkeys(" ".join(t.split()) for t in titles)
    wanted = [t for t in tidy if t and t != report.title]
    report.titles.exclude(title__in=wanted).delete()
    existing = set(report.titles.values_list("title", flat=True))
    for title in wanted:
        if title not in existing:
            ReportTitle(report=report, title=title).save()


@transaction.atomic
def report_merge(*, keep, others):
    """Merge `others` into `keep` and delete them.

    Authors are appended in order without duplicates; topics and countries are added; the others'
    titles and alternative titles become alternative titles of `keep`; empty fields of `keep` are
    filled from the others, and a longer summary replaces a shorter one. Every change is recorded
    in the history (the deleted reports too), so a merge can be undone from there.
    """
    keep = Report.objects.select_for_update().get(pk=keep.pk)
    others = list(
        Report.objects.select_for_update()
        .filter(pk__in=[o.pk for o in others])
        .exclude(pk=keep.pk)
        .order_by("pk")
    )
    if not others:
        return keep
    authors = [a.author for a in keep.authorships.select_related("author")]
    titles = list(keep.titles.values_list("title", flat=True))
    for other in others:
        authors += [a.author for a in other.authorships.select_related("author")]
        titles += [other.title, *other.titles.values_list("title", flat=True)]
        keep.topics.add(*other.topics.all())
        keep.countries.add(*other.countries.all())
        if len(other.summary) > len(keep.summary):
            keep.summary = other.summary
        for field in ("corporate_author", "publisher", "language", "url", "doi"):
            if not getattr(keep, field) and getattr(other, field):
                setattr(keep, field, getattr(other, field))
        notes = [n for n in (keep.source_note, other.source_note) if n]
        keep.source_note = "\n".join(dict.fromkeys(notes))
    for other in others:
        other.delete()
    keep.full_clean()
    keep.save()
    report_set_authors(report=keep, authors=authors)
    report_set_alternative_titles(report=keep, titles=titles)
    return keep
