from django import template

from portal.suggestions import suggest_url as build_suggest_url

register = template.Library()


@register.simple_tag
def suggest_url(record, section=""):
    """The address of the correction form for a record, or for one section of a country page."""
    return build_suggest_url(record, section or "")
