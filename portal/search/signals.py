"""Index updates modelsearch's own signals miss.

A report's author names are part of its index entry, but the admin saves the authorships after the
report itself (inline), and modelsearch only reindexes a record on its own save.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from library.models import Authorship, Report
from portal.search_index import index_records


@receiver(post_save, sender=Authorship, dispatch_uid="search_reindex_report_on_authorship_save")
@receiver(post_delete, sender=Authorship, dispatch_uid="search_reindex_report_on_authorship_del")
def reindex_report(sender, instance, **kwargs):
    report = Report.objects.filter(pk=instance.report_id).first()
    if report is not None:
        index_records(Report, [report])
