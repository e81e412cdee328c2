"""Base django-import-export resource shared by every record type."""

import tablib
from django.core.exceptions import ValidationError
from import_export import resources

from .bulk.formats import escape_formula, unescape_formula
from .history import write_entry
from .models import Status
from .permissions import (
    can_edit_countries,
    can_edit_record,
    can_publish,
    country_relation,
    record_country_ids,
)

PUBLISHER_STATUSES = {Status.PUBLISHED, Status.WITHDRAWN}


def formula_safe(value):
    """A text cell a spreadsheet program would run as a formula gets the apostrophe the bulk
    exports give it (portal.bulk.formats); an import takes it off again."""
    return escape_formula(value) if isinstance(value, str) else value


def formula_safe_dataset(dataset):
    """A copy of an exported dataset with every text cell made formula-safe."""
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append([formula_safe(cell) for cell in row])
    return safe


class RecordResource(resources.ModelResource):
    """Natural keys only; a row is validated with full_clean() so errors name their column.

    Exported text cells are formula-safe (`formula_safe`), and imports take the escape off.

    With IMPORT_EXPORT_USE_TRANSACTIONS (settings) one invalid row rolls back the whole file. When
    an import names its user (the admin always does; `import_data(..., user=...)` elsewhere), the
    editorial rules apply row by row: a row for a country the user does not hold, or a row that
    publishes, withdraws or changes the status of a published or withdrawn record without the
    publisher role, is an invalid row; an empty status cell keeps the record's status. History
    entries name that user.
    """

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_natural_foreign_keys = True

    def export_resource(self, instance, selected_fields=None, **kwargs):
        cells = super().export_resource(instance, selected_fields, **kwargs)
        return [formula_safe(cell) for cell in cells]

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        for column, value in row.items():
            row[column] = unescape_formula(value)

    def import_data(self, dataset, *args, **kwargs):
        # All or nothing everywhere, not only in the admin: one invalid row rolls back the file.
        if not args:
            kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, *args, **kwargs)

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        user = kwargs.get("user")
        instance._import_original_status = None if new else instance.status
        if user is not None and not new and not can_edit_record(user, instance):
            name, _ = country_relation(type(instance))
            raise ValidationError(
                {name or "status": "You are not assigned to the country of the existing record."}
            )

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        original = getattr(instance, "_import_original_status", None)
        if original is not None and "status" in row and not str(row["status"] or "").strip():
            instance.status = original  # an empty status cell keeps the record's status
        user = kwargs.get("user")
        if user is None:
            return
        errors = {}
        name, many = country_relation(type(instance))
        if name:
            if many and name in self.fields:
                countries = self.fields[name].clean(row) or []
                country_ids = {country.pk for country in countries}
            else:
                country_ids = record_country_ids(instance)
            if not can_edit_countries(user, country_ids):
                errors[name] = "You are not assigned to this country."
        changed_status = instance.status != original
        if changed_status and instance.status in PUBLISHER_STATUSES and not can_publish(user):
            errors["status"] = "Only publishers may import published or withdrawn records."
        elif changed_status and original in PUBLISHER_STATUSES and not can_publish(user):
            errors["status"] = (
                "Only publishers change the status of a published or withdrawn record."
            )
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        # One history entry per row, written once its many-to-many fields are stored too.
        instance.skip_history_when_saving = True
        instance._import_history_type = "+" if is_create else "~"
        try:
            super().save_instance(instance, is_create, row, **kwargs)
        except BaseException:
            del instance.skip_history_when_saving
            raise

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if getattr(instance, "skip_history_when_saving", False):
            del instance.skip_history_when_saving
            if (
                instance.pk is not None
                and type(instance)._default_manager.filter(pk=instance.pk).exists()
            ):
                write_entry(instance, instance._import_history_type)

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        user = kwargs.get("user")
        if user is not None:
            instance._history_user = user
