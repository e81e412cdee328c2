"""Every record type with a spreadsheet format, in the order a workbook is imported.

Each app declares a type's columns once, as a django-import-export Resource in
`<app>/resources.py` (`portal.resources.RecordResource`), and names it with the record type in
`<app>/records.py` (`RecordType(..., resource=...)`), in the order a workbook is imported:
related records before the records that name them (organisations before initiatives, acts
before provisions). The engine's specs are derived from those resources.
"""

from functools import cache

from portal.records import record_types


@cache
def all_specs():
    specs = [t.resource.spec() for t in record_types() if t.resource is not None]
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
