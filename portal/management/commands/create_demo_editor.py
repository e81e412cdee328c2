from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "editor"
DEMO_PASSWORD = "portal-demo-editor"  # noqa: S105 - dev-only account, printed on purpose
EDITOR_APPS = ("profiles", "laws", "library")


class Command(BaseCommand):
    help = "Create the demo editor account for local development (DEBUG only) and print it."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo editor exists only for local development (DEBUG on).")
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "email": "editor@example.org"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.user_permissions.set(
                Permission.objects.filter(content_type__app_label__in=EDITOR_APPS)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo editor: http://127.0.0.1:8000/admin/  user '{DEMO_USERNAME}'  "
                f"password '{DEMO_PASSWORD}'"
            )
        )
