"""Values shown to people: numbers as they are written (1,700,000; 3.75), not as stored."""

from decimal import Decimal

from django.template.defaultfilters import floatformat


def number(value):
    """A stored number as the public pages show it (Django's floatformat "-2g": thousands
    grouped, decimals only when there are any)."""
    if value is None or value == "":
        return value
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    return str(floatformat(value, "-2g"))
