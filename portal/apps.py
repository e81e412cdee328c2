from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from django.core import checks
        from django.urls import register_converter

        from .converters import CountryCodeConverter, OptionalNumberConverter, TextConverter

        # Before any URLconf is loaded: every app's urls.py may use <iso:...>.
        register_converter(CountryCodeConverter, "iso")
        register_converter(OptionalNumberConverter, "number-or-unknown")
        register_converter(TextConverter, "text")

        # Every app's record types (<app>/records.py), read by the engines below; search index
        # upkeep is connected by portal.search's own app config.
        from . import history  # noqa: F401  (keeps inline rows with every history entry)
        from .checks import check_record_types
        from .page_cache import connect_signals
        from .records import autodiscover

        autodiscover()
        checks.register(check_record_types)
        connect_signals()
