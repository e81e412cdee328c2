"""Sections that other apps add to the country page.

An app contributes by defining `<app>/sections.py` with a function `country_section(country)`
returning a CountrySection, a list of them, or None. The country page calls each one; each must
run a fixed number of SQL queries whatever the amount of data (prefetch, don't loop queries).
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


@dataclass
class CountrySection:
    id: str  # HTML id, also the table-of-contents anchor
    title: str
    template: str  # rendered with `section` and `country` in the context
    order: int = 100  # lower comes first
    context: dict = field(default_factory=dict)


def section_providers():
    providers = []
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "sections"):
            module = import_module(f"{app_config.name}.sections")
            if hasattr(module, "country_section"):
                providers.append(module.country_section)
    return providers


def country_sections(country):
    sections = []
    for provider in section_providers():
        result = provider(country)
        if isinstance(result, CountrySection):
            sections.append(result)
        elif result:
            sections.extend(result)
    return sorted(sections, key=lambda s: s.order)
