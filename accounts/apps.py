from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.models import Group

        from accounts.cache import on_customer_change
        from accounts.models import Customer
        from accounts.roles import ensure_builtin_roles
        from accounts.services import web_users

        # The built-in roles need the shop permissions, which Django creates
        # after migrating, so they are made (or repaired) after every migrate.
        post_migrate.connect(ensure_builtin_roles, sender=self)
        # Roles are Django groups that anyone with the Group admin or a shell can change:
        # the role cache and the holders' web logins follow every change, not only the bot's.
        m2m_changed.connect(web_users.role_permissions_changed, sender=Group.permissions.through)
        pre_delete.connect(web_users.role_deleting, sender=Group)
        post_delete.connect(web_users.role_deleted, sender=Group)
        # The gate's cached row of a customer follows every save and delete, whoever makes it.
        post_save.connect(on_customer_change, sender=Customer)
        post_delete.connect(on_customer_change, sender=Customer)
