from django import template

register = template.Library()


@register.inclusion_tag("includes/last_updated.html")
def last_updated(record):
    """'Last updated' for a public record, from its newest history entry (one query)."""
    entry = record.history.only("history_date").order_by("-history_date").first()
    return {"when": entry.history_date if entry else record.updated_at}
