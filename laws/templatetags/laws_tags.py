from django import template

from laws.models import months_display

register = template.Library()


@register.filter
def months(value):
    """84 -> '7 years', 6 -> '6 months', None -> ''."""
    return months_display(value)
