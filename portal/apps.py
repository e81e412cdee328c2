from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # Index updates for authorships must be connected in every process, not only once the
        # URL configuration (and with it the search views) has been imported.
        from .search import signals  # noqa: F401

        from .page_cache import connect_signals

        connect_signals()
