"""The column reference of docs/spreadsheets.md, written from the specs, which are derived
from each type's Resource (`<app>/resources.py`).

A test compares the docs with `column_reference()`, so the tables editors read are the columns the
import accepts; after changing a column, paste its output into the docs.
"""

from .registry import all_specs


def _notes(column):
    text = column.describe()
    field = getattr(column, "field", None)
    if not text and field is not None:
        text = str(field.help_text)
    return " ".join(text.split())


def _required(spec, column):
    if column.name in spec.key:
        return "key"
    return "yes" if column.required else ""


def spec_reference(spec):
    """The Markdown section of one record type: heading, natural key, column table."""
    key = " + ".join(f"`{name}`" for name in spec.key)
    if spec.country_attribute:
        tied = f"Tied to countries through `{spec.country_attribute}`."
    else:
        tied = "Not tied to a country."
    lines = [
        f"### `{spec.name}` — {spec.verbose_name_plural}",
        "",
        f"Natural key: {key}. {tied}",
        "",
        "| column | required | type | notes |",
        "|---|---|---|---|",
    ]
    for column in spec.columns:
        lines.append(
            f"| `{column.name}` | {_required(spec, column)} | {column.type_name} | "
            f"{_notes(column)} |"
        )
    return "\n".join(lines) + "\n"


def column_reference():
    return "\n".join(spec_reference(spec) for spec in all_specs())
