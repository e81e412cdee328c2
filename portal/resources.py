"""Base django-import-export resource shared by every record type."""

from import_export import resources


class RecordResource(resources.ModelResource):
    """Natural keys only; a row is validated with full_clean() so errors name their column.

    With IMPORT_EXPORT_USE_TRANSACTIONS (settings) one invalid row rolls back the whole file.
    """

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_natural_foreign_keys = True
