from django.core.management.base import BaseCommand

from portal import datapackage


class Command(BaseCommand):
    help = (
        "Build the data package of every public record (the zip /data/ serves) now: after a "
        "deploy, or from cron when PORTAL_DATAPACKAGE_REBUILD is off."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", help="Write it here instead of PORTAL_DATAPACKAGE_DIR.", default=None
        )

    def handle(self, *args, dir=None, **options):
        if dir is None:
            with datapackage.build_lock(wait=True):
                meta = datapackage.build()
        else:
            meta = datapackage.build(dir)
        rows = ", ".join(f"{t['name']} {t['rows']}" for t in meta["tables"])
        self.stdout.write(f"Data package as of {meta['created']}, {meta['bytes']} bytes: {rows}")
