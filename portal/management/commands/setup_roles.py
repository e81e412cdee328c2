from django.core.management.base import BaseCommand

from portal.roles import setup_roles


class Command(BaseCommand):
    help = "Create or update the Editor, Publisher and Administrator roles. Safe to run repeatedly."

    def handle(self, *args, **options):
        for name, count in setup_roles().items():
            self.stdout.write(f"{name}: {count} permissions")
