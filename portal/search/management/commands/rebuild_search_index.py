import time

from django.core.management.base import BaseCommand

from portal.search_index import rebuild


class Command(BaseCommand):
    help = "Rebuild the global search index from the public records (in chunks; safe to rerun)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        total = rebuild(stdout=self.stdout if options["verbosity"] > 1 else None)
        seconds = time.perf_counter() - started
        if options["verbosity"]:
            self.stdout.write(f"Indexed {total} records in {seconds:.1f} s.")
