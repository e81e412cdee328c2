from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # Every app's record types (<app>/records.py), read by the engines below; search index
        # upkeep is connected by portal.search's own app config.
        from django.core import checks

        from .checks import check_record_types
        from .page_cache import connect_signals
        from .records import autodiscover

        autodiscover()
        checks.register(check_record_types)
        connect_signals()
