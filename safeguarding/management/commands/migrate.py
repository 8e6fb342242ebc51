"""``migrate`` as the owner role (DATABASE_OWNER_URL): the app's own role owns nothing and may not change the schema.

After it, a post_migrate handler grants the app role its rights again (safeguarding.dbroles)."""

from django.core.management import load_command_class

from safeguarding.dbroles import as_owner


class Command(type(load_command_class("django.core", "migrate"))):
    def handle(self, *args, **options):
        with as_owner(options["database"]):
            return super().handle(*args, **options)
