"""Create (or reset) the demo superuser and print its password once."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or reset the demo superuser 'admin' with a new random password, and print it."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        password = secrets.token_urlsafe(12)
        user, _created = User.objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write("")
        self.stdout.write("  Demo admin account (new password on every start):")
        self.stdout.write(f"    user:     {username}")
        self.stdout.write(f"    password: {password}")
