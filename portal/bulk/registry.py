"""Every record type with a spreadsheet format, in the order a workbook is imported.

Each app writes its formats in `<app>/resources.py` (BULK_SPECS) and declares them with its
record types in `<app>/records.py` (`RecordType(..., spreadsheet=...)`), in the order a workbook
is imported: related records before the records that name them (organisations before
initiatives, acts before provisions).
"""

from functools import cache

from portal.records import record_types


@cache
def all_specs():
    specs = [t.spreadsheet for t in record_types() if t.spreadsheet is not None]
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
