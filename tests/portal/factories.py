import factory
from django.contrib.auth.models import Group, User

from portal.models import EditorProfile
from portal.roles import setup_roles

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)


def make_member(role, *countries, username=None):
    """A staff user in `role` (Editor, Publisher, Administrator) assigned to `countries`."""
    setup_roles()
    user = UserFactory(**({"username": username} if username else {}))
    user.save()
    user.groups.add(Group.objects.get(name=role))
    profile, _ = EditorProfile.objects.get_or_create(user=user)
    profile.countries.set(countries)
    return User.objects.get(pk=user.pk)  # fresh instance: no cached permissions
