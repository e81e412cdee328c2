"""System checks of the record declarations (`manage.py check`, run before every test session)."""

from django.apps import apps
from django.core import checks

from .models import RecordModel
from .records import record_types


def check_record_types(app_configs=None, **kwargs):
    """Every concrete RecordModel is declared in its app's records.py, and every public parent
    is a foreign key to another record type: the public surfaces know only declared types."""
    declared = {t.model for t in record_types()}
    errors = []
    for model in apps.get_models():
        if not issubclass(model, RecordModel):
            continue
        if model not in declared:
            errors.append(
                checks.Error(
                    f"{model._meta.label} is a record model without a record type.",
                    hint=f"Declare it in {model._meta.app_label}/records.py with register().",
                    obj=model,
                    id="portal.E001",
                )
            )
        for name in model.public_parents:
            field = model._meta.get_field(name)
            if not (field.many_to_one and issubclass(field.related_model, RecordModel)):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.public_parents names {name}, which is not a "
                        "foreign key to a record model.",
                        obj=model,
                        id="portal.E002",
                    )
                )
    return errors
