"""Readers' corrections: the public form, its limits, and the mails to editors and readers.

A reader reaches the form from the "Suggest a correction" link of a public record page or of a
country page section (`includes/suggest_link.html`): `/suggest/?record=<app>.<model>:<id>` and,
for a section, `&section=<section id>`. The form is a plain HTML form (no JavaScript), with CSRF,
a honeypot field, length limits and a per-address limit kept in the cache. A suggestion is
stored against the record (any registered record type, through contenttypes) with the record's
countries, mailed to the editors of those countries and listed on their desk (portal.desk).
Suggestions are never public: nothing outside the admin reads them.
"""

import hashlib
import hmac
import logging
import time
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .client_address import client_address
from .country_sections import country_sections
from .models import Suggestion
from .permissions import ADMINISTRATOR_ROLE, record_country_ids
from .records import record_type, record_types

logger = logging.getLogger(__name__)

HOW_TO = (
    "To suggest a correction, open the page with the error and follow its “Suggest a "
    "correction” link: the form then knows which record you mean."
)
RATE_WINDOW_SECONDS = 3600
RATE_KEY = "suggestions:rate:{digest}:{window}"
SUBJECT_LENGTH = 120
REVIEWING_ROLES = ("Editor", "Publisher")  # portal.roles.EDITOR, PUBLISHER


# --- which record -------------------------------------------------------------------------------


def record_key(record):
    """The form's `record` parameter for a record: `<app>.<model>:<id>`."""
    return f"{record._meta.label_lower}:{record.pk}"


def suggest_url(record, section=""):
    url = f"{reverse('suggest')}?record={record_key(record)}"
    return f"{url}&section={section}" if section else url


class BadRecord(Exception):
    """The `record` or `section` parameter names nothing a reader can correct."""


def public_record(key):
    """The public record a `record` parameter names; BadRecord for a malformed or unknown type,
    Http404 for a record that does not exist or is not public (drafts stay unknown)."""
    label, _, pk = (key or "").partition(":")
    types = {t.label: t for t in record_types() if t.has_page or t.country_field == "self"}
    if label not in types or not pk.isdigit() or len(pk) > 18:
        raise BadRecord("The link does not name a record. Use “Suggest a correction” on its page.")
    record = types[label].public().filter(pk=int(pk)).first()
    if record is None:
        raise Http404("No such public record.")
    return record


def section_title(record, section):
    """The title of the country page section `section` of a country record, or BadRecord."""
    if not section:
        return ""
    if getattr(type(record), "country_field", None) != "self":
        raise BadRecord("Only a country page has sections.")
    for candidate in country_sections(record):
        if candidate.id == section:
            return candidate.title
    raise BadRecord("The country page has no such section.")


# --- the per-address limit ----------------------------------------------------------------------


def address_digest(request):
    address = client_address(request) or "unknown"
    key = f"suggestions:{settings.SECRET_KEY}".encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


def _window():
    return int(time.time()) // RATE_WINDOW_SECONDS


def _stored_recently(digest):
    since = timezone.now() - timedelta(seconds=RATE_WINDOW_SECONDS)
    return Suggestion.objects.filter(address_digest=digest, created_at__gte=since).count()


def over_limit(digest):
    """True when this address has sent its suggestions for the hour. The count lives in the
    cache; when the cache fails, the suggestions stored in the last hour count instead, so the
    limit holds and the form keeps working."""
    limit = settings.PORTAL_SUGGESTIONS_PER_HOUR
    try:
        sent = cache.get(RATE_KEY.format(digest=digest, window=_window()), 0)
    except Exception:  # any cache backend's error: Redis down, slow, refusing
        logger.warning("Suggestion limit: cache unavailable, counting stored suggestions")
        sent = _stored_recently(digest)
    return sent >= limit


def count_sent(digest):
    key = RATE_KEY.format(digest=digest, window=_window())
    try:
        if not cache.add(key, 1, timeout=RATE_WINDOW_SECONDS + 60):
            cache.incr(key)
    except Exception:
        logger.warning("Suggestion limit: cache unavailable, suggestion not counted there")


# --- the form -----------------------------------------------------------------------------------


class SuggestionForm(forms.ModelForm):
    """What a reader may write; every text is plain text, limited in length."""

    source_url = forms.URLField(
        label="Source (a web address)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Optional. Where the correct information is published.",
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Suggestion
        fields = ("problem", "proposed_text", "source_url", "email")
        labels = {
            "problem": "What is wrong?",
            "proposed_text": "What should it say instead?",
            "email": "Your e-mail address",
        }
        help_texts = {
            "problem": "Up to 2,000 characters.",
            "proposed_text": "Optional. Up to 4,000 characters.",
            "email": "Optional: we write to tell you what the editors decided, nothing else.",
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
            "proposed_text": forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                "This field must stay empty (it catches automated spam). Clear it and send again."
            )
        return ""

    def clean_problem(self):
        problem = self.cleaned_data["problem"].strip()
        if not problem:
            raise forms.ValidationError("Say what is wrong.")
        return problem


# --- the view -----------------------------------------------------------------------------------


@never_cache
def suggest(request):
    """GET: the form for a record (or a section of a country page); POST: store it."""
    params = request.POST if request.method == "POST" else request.GET
    if request.method != "POST" and "record" not in params:
        return render(request, "portal/suggest_bad.html", {"reason": HOW_TO})
    try:
        record = public_record(params.get("record"))
        section = params.get("section", "")
        title = section_title(record, section)
    except BadRecord as error:
        return HttpResponseBadRequest(
            render_to_string("portal/suggest_bad.html", {"reason": str(error)}, request=request)
        )
    context = {
        "record": record,
        "record_key": record_key(record),
        "section": section,
        "section_title": title,
        "limit": settings.PORTAL_SUGGESTIONS_PER_HOUR,
    }
    if request.method != "POST":
        form = SuggestionForm()
        return render(request, "portal/suggest.html", {**context, "form": form})
    digest = address_digest(request)
    if over_limit(digest):
        return render(request, "portal/suggest_limit.html", context, status=429)
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/suggest.html", {**context, "form": form})
    suggestion = suggestion_store(
        record=record, section=section, form=form, digest=digest, request=request
    )
    count_sent(digest)
    context["suggestion"] = suggestion
    return render(request, "portal/suggest_thanks.html", context)


# --- storing and routing ------------------------------------------------------------------------


def _label(record, title):
    label = str(record)
    return (f"{label} — {title}" if title else label)[:300]


@transaction.atomic
def suggestion_store(*, record, section, form, digest, request):
    suggestion = form.save(commit=False)
    suggestion.content_type = ContentType.objects.get_for_model(record)
    suggestion.object_id = record.pk
    suggestion.section = section
    suggestion.record_label = _label(record, section_title(record, section) if section else "")
    suggestion.address_digest = digest
    suggestion.full_clean()
    suggestion.save()
    suggestion.countries.set(record_country_ids(record))
    desk = request.build_absolute_uri(reverse("admin:index"))
    link = request.build_absolute_uri(
        reverse("admin:portal_suggestion_change", args=[suggestion.pk])
    )
    transaction.on_commit(lambda: mail_editors(suggestion, link=link, desk=desk))
    return suggestion


def reviewers(suggestion):
    """Who is told of a new suggestion: the Editors and Publishers of the record's countries;
    for a record tied to no country, the Administrators."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    country_ids = list(suggestion.countries.values_list("pk", flat=True))
    if country_ids:
        users = users.filter(
            editor_profile__countries__in=country_ids, groups__name__in=REVIEWING_ROLES
        )
    else:
        users = users.filter(Q(groups__name=ADMINISTRATOR_ROLE) | Q(is_superuser=True))
    return sorted(set(users.values_list("email", flat=True)))


def _subject(text):
    # Header values never hold line breaks; record names are editors' text, kept short.
    flat = " ".join(text.split())
    return flat if len(flat) <= SUBJECT_LENGTH else flat[: SUBJECT_LENGTH - 1] + "…"


def _send(messages):
    try:
        get_connection().send_messages(messages)
    except Exception:  # the suggestion is stored and on the desk; a mail server may be down
        logger.exception("Could not send suggestion mail")
        return False
    return True


def mail_editors(suggestion, *, link, desk):
    recipients = reviewers(suggestion)
    if not recipients:
        return
    context = {"suggestion": suggestion, "link": link, "desk": desk}
    body = render_to_string("portal/mail/suggestion_new.txt", context)
    subject = _subject(f"Suggested correction: {suggestion.record_label}")
    _send([EmailMessage(subject, body, to=[address]) for address in recipients])


def mail_reader(suggestion):
    """Tell the reader who left an address what the editors decided (once)."""
    if not suggestion.email or suggestion.reader_told_at is not None:
        return
    context = {"suggestion": suggestion, "SITE_NAME": settings.SITE_NAME}
    body = render_to_string("portal/mail/suggestion_decided.txt", context)
    subject = _subject(f"Your suggested correction to {suggestion.record_label}")
    if _send([EmailMessage(subject, body, to=[suggestion.email])]):
        Suggestion.objects.filter(pk=suggestion.pk).update(reader_told_at=timezone.now())


def suggestion_decide(*, suggestion, status, note, user):
    """Record an editor's decision and tell the reader once the transaction commits."""
    suggestion.status = status
    suggestion.note = note
    suggestion.decided_by = user
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=("status", "note", "decided_by", "decided_at"))
    transaction.on_commit(lambda: mail_reader(suggestion))
    return suggestion


def record_admin_url(suggestion):
    """The admin change form of the suggestion's record, with the suggestion beside it."""
    model = suggestion.content_type.model_class()
    if model is None or record_type(model) is None:
        return None
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[suggestion.object_id])
    return f"{url}?suggestion={suggestion.pk}"
