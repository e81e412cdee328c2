import datetime

from django import template
from django.utils.timezone import template_localtime

register = template.Library()


@register.filter
def iso_datetime(value):
    """A date or datetime for `<time datetime>`: ISO 8601, datetimes to the second in the current
    time zone. `date:'c'` keeps microseconds, which HTML does not allow (three digits at most)."""
    if isinstance(value, datetime.datetime):
        return template_localtime(value).replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""


@register.inclusion_tag("includes/last_updated.html")
def last_updated(record):
    """'Last updated' for a public record, from its newest history entry (one query)."""
    entry = record.history.only("history_date").order_by("-history_date").first()
    return {"when": entry.history_date if entry else record.updated_at}


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        # Rendered once, escaped as usual: NodeList.render returns the already escaped output as a
        # SafeString, so using the variable does not escape it twice.
        context[self.name] = self.nodelist.render(context)
        return ""


@register.tag
def capture(parser, token):
    """`{% capture as name %}…{% endcapture %}`: render the enclosed part (blocks included) once
    into a variable, so the base layout can use a page's description in two meta tags."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
