from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from django.urls import register_converter

        from .converters import CountryCodeConverter

        # Before any URLconf is loaded: every app's urls.py may use <iso:...>.
        register_converter(CountryCodeConverter, "iso")

        # Search index upkeep is connected by portal.search's own app config.
        from . import history  # noqa: F401  (keeps inline rows with every history entry)
        from .page_cache import connect_signals

        connect_signals()
