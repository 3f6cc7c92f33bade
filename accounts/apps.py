from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts.roles import ensure_builtin_roles

        # The built-in roles need the shop permissions, which Django creates
        # after migrating, so they are made (or repaired) after every migrate.
        post_migrate.connect(ensure_builtin_roles, sender=self)
