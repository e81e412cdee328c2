from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from portal.models import EditorProfile
from portal.records import country_model
from portal.roles import EDITOR, PUBLISHER, setup_roles

# Dev-only accounts, printed on purpose: (username, password, role, assigned countries).
DEMO_ACCOUNTS = (
    ("editor", "portal-demo-editor", EDITOR, ("LT",)),
    ("publisher", "portal-demo-publisher", PUBLISHER, ("LT",)),
)


class Command(BaseCommand):
    help = "Create the demo editor and publisher accounts (DEBUG only) and print them."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo accounts exist only for local development (DEBUG on).")
        setup_roles()
        User = get_user_model()
        for username, password, role, countries in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True, "email": f"{username}@example.org"}
            )
            if created:
                user.set_password(password)
                user.save()
                user.groups.add(Group.objects.get(name=role))
                profile, _ = EditorProfile.objects.get_or_create(user=user)
                profile.countries.set(country_model().objects.filter(iso_code__in=countries))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo {role.lower()}: http://127.0.0.1:8000/admin/  user '{username}'  "
                    f"password '{password}'  (countries: {', '.join(countries)})"
                )
            )
