"""Who performs an admin action: a Telegram admin (``Customer``) or a web staff ``User``.

Both reach the same services. A customer's permissions come from their role
(the owner holds all); a staff user's from Django's auth, where the same shop
permissions are assigned through the same groups (a superuser holds all).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from accounts import roles
from accounts.models import PERMISSION_CODENAMES, Customer

Actor = Customer | AbstractBaseUser


def permissions_of_actor(actor: Actor) -> frozenset[str]:
    if isinstance(actor, Customer):
        return roles.permissions_of(actor)
    if not actor.is_active or not getattr(actor, "is_staff", False):
        return frozenset()
    if getattr(actor, "is_superuser", False):
        return frozenset(PERMISSION_CODENAMES)
    return frozenset(
        codename
        for codename in PERMISSION_CODENAMES
        if actor.has_perm(f"accounts.{codename}")  # type: ignore[attr-defined]
    )


def actor_label(actor: Actor | None) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, Customer):
        return str(actor.telegram_id)
    return f"web:{actor.get_username()}"


def actor_customer(actor: Actor | None) -> Customer | None:
    """Return the Telegram account behind an actor, if there is one."""
    if actor is None or isinstance(actor, Customer):
        return actor
    return Customer.objects.filter(user_id=actor.pk).first()


def is_owner_actor(actor: Actor) -> bool:
    customer = actor_customer(actor)
    return customer is not None and customer.is_owner
