"""Every record type with a spreadsheet format, in the order a workbook is imported.

Each app declares its formats in `<app>/resources.py` as BULK_SPECS; related records come
before the records that name them (organisations before initiatives, acts before provisions).
"""

from functools import cache
from importlib import import_module

APPS = ("profiles", "laws", "library")


@cache
def all_specs():
    specs = []
    for app in APPS:
        specs.extend(import_module(f"{app}.resources").BULK_SPECS)
    names = [spec.name for spec in specs]
    assert len(names) == len(set(names)), "record type names must be unique"
    return tuple(specs)


def get_spec(name):
    for spec in all_specs():
        if spec.name == name:
            return spec
    raise KeyError(name)


def spec_for_model(model):
    for spec in all_specs():
        if spec.model is model:
            return spec
    return None


def country_specs():
    """The record types tied to countries: the sheets of a country workbook."""
    return [spec for spec in all_specs() if spec.country_attribute]
