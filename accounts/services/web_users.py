"""The web admin login behind a Telegram admin: a staff ``User`` whose groups mirror the role.

Created on the first use of a sign-in link and kept in step whenever the
customer's role or block changes, so the web admin never allows more than the
bot does: the role is the same Django group, the owner is a superuser, and a
customer without a shop permission (or blocked) cannot sign in. A role whose
permissions change or that is deleted, by any path (the bot, Django's Group
admin, a shell), brings its holders' logins in step through the signals
connected in ``accounts.apps``; an inactive login's open sessions stop working.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts import roles
from accounts.models import Customer


def staff_user_for(customer: Customer) -> Any:
    """Return the customer's web login, creating and linking it on first use, in step with the role."""
    user = customer.user
    if user is None:
        User = get_user_model()
        username = f"tg{customer.telegram_id}"
        if User.objects.filter(username=username).exists():
            # Someone made this name by hand; never take over an unlinked account.
            username = f"{username}-{secrets.token_hex(3)}"
        user = User.objects.create_user(username=username, password=None)
        customer.user = user
        customer.save(update_fields=["user"])
    sync_staff_user(customer)
    return user


def sync_staff_user(customer: Customer) -> None:
    """Give the customer's web login (if any) the customer's role and access, nothing more."""
    user = customer.user
    if user is None:
        return
    admin = roles.is_admin(customer)
    user.is_staff = admin
    user.is_active = admin
    user.is_superuser = customer.is_owner
    user.first_name = customer.first_name[:150]
    user.save(update_fields=["is_staff", "is_active", "is_superuser", "first_name"])
    user.groups.set([customer.role_id] if customer.role_id and admin else [])


def sync_role_holders(role_ids: set[int] | None) -> None:
    """Forget the roles' cached permissions and bring their holders' web logins in step (None: every role)."""
    ids = set(Group.objects.values_list("id", flat=True)) if role_ids is None else set(role_ids)
    for role_id in ids:
        roles.invalidate_role_cache(role_id)  # now, so the logins below follow the new permissions
    # Again after commit: a reader meanwhile may have cached the permissions before the change.
    transaction.on_commit(lambda: [roles.invalidate_role_cache(role_id) for role_id in ids])
    holders = Customer.objects.filter(role_id__in=ids, user__isnull=False).select_related("user")
    for customer in holders:
        sync_staff_user(customer)


def role_permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """Follow any change of a role's permissions: the bot's services, Django's Group admin, a shell."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        sync_role_holders({instance.pk})
    else:  # permission.group_set changed; a clear does not say which groups it left
        sync_role_holders(None if action == "post_clear" else set(pk_set or ()))


def role_deleting(sender: Any, instance: Group, **kwargs: Any) -> None:
    """Remember a deleted role's holders: once it is gone their role is empty and their logins must follow."""
    instance._holder_ids = list(Customer.objects.filter(role=instance).values_list("pk", flat=True))  # type: ignore[attr-defined]


def role_deleted(sender: Any, instance: Group, **kwargs: Any) -> None:
    roles.invalidate_role_cache(instance.pk)
    holders = Customer.objects.filter(pk__in=getattr(instance, "_holder_ids", []), user__isnull=False)
    for customer in holders.select_related("user"):
        sync_staff_user(customer)
