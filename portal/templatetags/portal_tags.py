import datetime
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from portal.charts import chart_html

register = template.Library()


@register.simple_tag
def chart(chart):
    """An accessible SVG bar chart (portal.charts.BarChart): `{% chart some_chart %}`."""
    return chart_html(chart)


@register.filter
def iso_datetime(value):
    """A date or datetime for `<time datetime>`: ISO 8601, datetimes to the second in the current
    time zone. `date:'c'` keeps microseconds, which HTML does not allow (three digits at most)."""
    if isinstance(value, datetime.datetime):
        return template_localtime(value).replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""


# In a <script> element "</script>" or "<!--" would end or change it; JSON allows these escapes.
JSON_LD_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """`data` as schema.org JSON-LD: a data block, never run as a script (so the CSP, which
    allows no inline script, does not apply to it). Serialised with json and every < > & escaped,
    so a record's text cannot close the element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_LD_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


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
