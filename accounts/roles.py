"""Roles are Django groups holding the shop permissions of ``Customer.Meta``.

The owner (``OWNER_ID``) holds every permission whatever their role says.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache

from accounts.models import PERMISSION_CODENAMES, Customer
from shopbot import warmcache

CUSTOMER_ROLE = "Customer"
ADMIN_ROLE = "Admin"
OWNER_ROLE = "Owner"
BUILTIN_ROLES = {
    CUSTOMER_ROLE: [],
    # Roles and anonymising stay with the owner unless a role is given them on purpose.
    ADMIN_ROLE: [
        codename
        for codename in PERMISSION_CODENAMES
        if codename not in ("manage_roles", "anonymise_customers")
    ],
    OWNER_ROLE: list(PERMISSION_CODENAMES),
}
ROLE_CACHE_SECONDS = 15 * 60


def shop_permissions() -> list[Permission]:
    return list(
        Permission.objects.filter(content_type__app_label="accounts", codename__in=PERMISSION_CODENAMES)
    )


def ensure_builtin_roles(**kwargs: Any) -> None:
    """Create the built-in roles with their permissions, repairing any drift."""
    by_codename = {permission.codename: permission for permission in shop_permissions()}
    if len(by_codename) < len(PERMISSION_CODENAMES):
        return  # permissions are created later in the same migrate run
    for name, codenames in BUILTIN_ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([by_codename[codename] for codename in codenames])
    invalidate_role_cache()


def role_cache_key(role_id: int) -> str:
    return f"role-permissions:{role_id}"


def invalidate_role_cache(role_id: int | None = None) -> None:
    if role_id is None:
        for group_id in Group.objects.values_list("id", flat=True):
            cache.delete(role_cache_key(group_id))
    else:
        cache.delete(role_cache_key(role_id))


def role_permissions(role_id: int | None) -> frozenset[str]:
    """Return the shop permission codenames of a role, cached for a quarter hour."""
    if role_id is None:
        return frozenset()
    key = role_cache_key(role_id)
    cached = warmcache.get(key)  # also on the bot's event loop (the gate, the menu)
    if cached is None:
        warmcache.needs_orm()
        cached = sorted(
            Permission.objects.filter(
                group__id=role_id, content_type__app_label="accounts", codename__in=PERMISSION_CODENAMES
            ).values_list("codename", flat=True)
        )
        cache.set(key, cached, ROLE_CACHE_SECONDS)
    return frozenset(cached)


def is_owner_id(telegram_id: int) -> bool:
    return bool(settings.OWNER_ID) and telegram_id == settings.OWNER_ID


def permissions_of(customer: Customer) -> frozenset[str]:
    """Return what ``customer`` may do; the owner may do everything."""
    if is_owner_id(customer.telegram_id):
        return frozenset(PERMISSION_CODENAMES)
    if customer.is_blocked:
        return frozenset()
    return role_permissions(customer.role_id)


def has_permission(customer: Customer, codename: str) -> bool:
    return codename in permissions_of(customer)


def is_admin(customer: Customer) -> bool:
    """Return whether ``customer`` holds any shop permission (sees the admin menu)."""
    return bool(permissions_of(customer))
