from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.history import write_first_entries

FIXTURES_DIR = settings.BASE_DIR / "fixtures"


def demo_fixture_files():
    """The seed fixtures in load order (their file names start with a number)."""
    return sorted(FIXTURES_DIR.glob("[0-9][0-9]_*.json"))


class Command(BaseCommand):
    help = "Load (or reload) the demo data from fixtures/. Safe to run repeatedly."

    def handle(self, *args, **options):
        files = demo_fixture_files()
        call_command("loaddata", *[str(f) for f in files], verbosity=options["verbosity"])
        # loaddata writes no history: give every record its first entry (once), with its
        # many-to-many values and inline rows; then the other tracked rows (themes, penalty
        # rows, ...) theirs.
        write_first_entries()
        call_command("populate_history", auto=True, verbosity=0)
        # loaddata saves raw (no signals): build the search index.
        call_command("rebuild_search_index", verbosity=0, stdout=StringIO())
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(files)} fixture files."))
