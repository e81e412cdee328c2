from django import template

register = template.Library()


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
