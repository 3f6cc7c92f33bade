"""Helpers for the tests of the admin sections: narrower roles, audit entries, entering a section."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group, Permission

from accounts.models import AuditEntry
from accounts.roles import invalidate_role_cache
from shopbot.test import make_customer


@sync_to_async
def make_admin(telegram_id: int, *codenames: str, username: str = "") -> object:
    """Create a customer whose role holds exactly ``codenames`` (a role of its own)."""
    role = Group.objects.create(name=f"Role of {telegram_id}")
    role.permissions.set(
        Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames)
    )
    invalidate_role_cache(role.pk)
    return make_customer(
        telegram_id, username=username or f"admin{telegram_id}", first_name="Admin", role=role
    )


@sync_to_async
def take_permissions(customer: object) -> None:
    """Empty the role of ``customer``, as an owner taking their rights away would."""
    role = customer.role  # type: ignore[attr-defined]
    role.permissions.clear()
    invalidate_role_cache(role.pk)


@sync_to_async
def denials(telegram_id: int) -> list[str]:
    """Return the targets of the permission refusals audited for ``telegram_id``, oldest first."""
    entries = AuditEntry.objects.filter(actor__telegram_id=telegram_id, action="permission_denied").order_by(
        "id"
    )
    return [entry.target for entry in entries]


@sync_to_async
def audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))
