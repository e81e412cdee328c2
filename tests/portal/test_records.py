"""The record registry (portal/records.py): what the apps declared, and its checks."""

import pytest
from django.core.management import call_command

from portal.checks import check_record_types
from portal.records import RecordType, record_type, record_types, registry
from portal.sitemaps import sitemaps
from profiles.models import Initiative


def test_every_app_declares_its_record_types():
    labels = {t.label for t in record_types()}
    assert {"profiles.country", "laws.provision", "library.report"} <= labels
    assert record_type(Initiative).country_field == "country"
    assert record_type(Initiative).public_parents == ("country",)
    assert "legislation" in sitemaps() and "initiatives" in sitemaps()


def test_the_checks_pass_and_flag_an_undeclared_record_model(monkeypatch):
    call_command("check", verbosity=0)
    assert check_record_types() == []
    types = {m: t for m, t in registry.types.items() if m is not Initiative}
    monkeypatch.setattr(registry, "types", types)
    errors = check_record_types()
    assert [(e.id, e.obj) for e in errors] == [("portal.E001", Initiative)]


def test_a_type_is_declared_once():
    with pytest.raises(ValueError, match="declared twice"):
        registry.register(RecordType(Initiative))


def test_reading_the_registry_while_it_is_filled_is_refused(monkeypatch):
    monkeypatch.setattr(registry, "discovering", True)
    with pytest.raises(RuntimeError, match="at import time"):
        record_types()
