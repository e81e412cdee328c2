"""The search backend the portal uses, chosen by the `PORTAL_SEARCH_BACKEND` setting.

The setting is the dotted path of a `SearchBackend` subclass or of a function returning a
backend instance; the default, `portal.search.backends.auto.for_default_database`, picks the
PostgreSQL or the SQLite backend by the vendor of the default database.
"""

import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "portal.search.backends.auto.for_default_database"


@functools.cache
def get_backend():
    path = getattr(settings, "PORTAL_SEARCH_BACKEND", None) or DEFAULT_BACKEND
    return import_string(path)()


def _setting_changed(setting, **kwargs):
    if setting in ("PORTAL_SEARCH_BACKEND", "DATABASES"):
        get_backend.cache_clear()


setting_changed.connect(_setting_changed, dispatch_uid="portal_search_backend_setting")
