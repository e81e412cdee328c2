from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .records import record_types


def menu():
    """(URL, label) of the record types' public lists in the site menu, in their menu order."""
    pages = sorted(
        (t.list_page for t in record_types() if t.list_page and t.list_page.menu_label),
        key=lambda page: page.menu_order,
    )
    items = []
    for page in pages:
        try:
            items.append((reverse(page.url_name), page.menu_label))
        except NoReverseMatch:  # a URLconf without that app (some tests use one)
            continue
    return items


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_CONTACT_EMAIL": settings.SITE_CONTACT_EMAIL,
        "SITE_DATA_LICENCE": settings.SITE_DATA_LICENCE,
        "MENU": menu(),
    }
