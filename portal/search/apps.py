from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Global search: the index table (`SearchEntry`), its upkeep and the search page."""

    name = "portal.search"
    label = "search"
    verbose_name = "Search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals

        signals.connect()
