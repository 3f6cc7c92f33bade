"""Reads and checks behind the admin menu: finding users, roles and their drafts, permission holders, the audit log.

Each function that serves an admin checks the actor's permission itself
(callback data and typed text are forged easily); a refusal is audited by
``require_permission`` or ``requires``. The role drafts of the bot (a name and
toggled permissions, kept while the admin presses buttons) are checked here at
every step, and saved only through ``services.save_role``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.translation import gettext as _

from accounts import roles
from accounts.actors import Actor, permissions_of_actor
from accounts.models import PERMISSION_CODENAMES, AuditEntry, Customer
from accounts.selectors import Page, paginate
from accounts.services import check_codenames, clean_role_name, record_audit, require_permission, requires
from shopbot.errors import CustomerNotFound, InvalidInput, RoleEscalation, RoleNotFound

# Telegram usernames: 5 to 32 letters, digits and underscores, starting with a letter (4 for old ones).
USERNAME = re.compile(r"@?([A-Za-z][A-Za-z0-9_]{3,31})")
TELEGRAM_ID = re.compile(r"\d{1,15}", re.ASCII)


@dataclass(frozen=True)
class RoleInfo:
    """A role with its permissions, how many hold it, and what the viewing admin may do with it."""

    id: int
    name: str
    codenames: tuple[str, ...]
    holders: int
    is_builtin: bool
    grantable: bool  # every permission of the role is held by the viewing admin


def get_admin_permissions(*, actor: Actor, action: str = "admin_menu") -> frozenset[str]:
    """Return the shop permissions of an admin; refuse (audited) anyone who holds none."""
    held = permissions_of_actor(actor)
    if not held:
        # No single permission opens the admin menu: any does. The refusal is audited all the same.
        require_permission(actor=actor, codename="any_shop_permission", action=action)
    return held


def find_customer(*, actor: Actor, query: str) -> Customer:
    """Return the customer a typed Telegram id or @username names."""
    require_permission(actor=actor, codename="manage_users", action="find_customer")
    text = (query or "").strip()
    if TELEGRAM_ID.fullmatch(text):
        customer = Customer.objects.filter(telegram_id=int(text)).select_related("role").first()
    elif USERNAME.fullmatch(text):
        name = USERNAME.fullmatch(text)[1]  # type: ignore[index]
        customer = Customer.objects.filter(username__iexact=name).select_related("role").first()
    else:
        raise InvalidInput(reason=_("Send a Telegram id (digits) or a @username."))
    if customer is None:
        raise CustomerNotFound()
    return customer


def get_customer(*, actor: Actor, telegram_id: int) -> Customer:
    """Return a customer by Telegram id for the admin's profile screen."""
    require_permission(actor=actor, codename="manage_users", action="view_customer")
    customer = Customer.objects.filter(telegram_id=telegram_id).select_related("role").first()
    if customer is None:
        raise CustomerNotFound()
    return customer


def role_info(group: Group, actor_permissions: frozenset[str], holders: int) -> RoleInfo:
    codenames = roles.role_permissions(group.pk)
    return RoleInfo(
        id=group.pk,
        name=group.name,
        codenames=tuple(code for code in PERMISSION_CODENAMES if code in codenames),
        holders=holders,
        is_builtin=group.name in roles.BUILTIN_ROLES,
        grantable=codenames <= actor_permissions,
    )


def list_roles(*, actor: Actor, codename: str = "manage_roles") -> list[RoleInfo]:
    """Return every role, built-in first, with its permissions and number of holders.

    ``codename`` is the permission the screen needs: ``manage_roles`` for the
    roles screen and for choosing a user's role alike.
    """
    require_permission(actor=actor, codename=codename, action="list_roles")
    held = permissions_of_actor(actor)
    groups = Group.objects.annotate(holders=Count("customers")).order_by("name")
    infos = [role_info(group, held, group.holders) for group in groups]
    order = list(roles.BUILTIN_ROLES)
    return sorted(
        infos, key=lambda info: (not info.is_builtin, order.index(info.name) if info.is_builtin else 0)
    )


def get_role(*, actor: Actor, role_id: int) -> RoleInfo:
    """Return one role for the roles screen."""
    require_permission(actor=actor, codename="manage_roles", action="view_role")
    group = Group.objects.filter(pk=role_id).annotate(holders=Count("customers")).first()
    if group is None:
        raise RoleNotFound()
    return role_info(group, permissions_of_actor(actor), group.holders)


@requires("manage_roles")
def check_role_name(*, actor: Actor, name: str, role_id: int | None = None) -> str:
    """Return a cleaned role name that no other role uses."""
    name = clean_role_name(name)
    taken = Group.objects.filter(name__iexact=name)
    if role_id is not None:
        taken = taken.exclude(pk=role_id)
    if taken.exists():
        raise InvalidInput(reason=_("A role with this name already exists."))
    return name


@requires("manage_roles")
def check_grantable(*, actor: Actor, codenames: list[str]) -> list[str]:
    """Return the permissions of a role draft, refusing any the actor does not hold."""
    chosen = check_codenames(codenames)
    if not set(chosen) <= permissions_of_actor(actor):
        raise RoleEscalation()
    return [code for code in PERMISSION_CODENAMES if code in chosen]


@requires("manage_roles")
def check_role_editable(*, actor: Actor, role_id: int) -> RoleInfo:
    """Return a custom role the actor may edit: not built-in, nothing in it the actor lacks."""
    group = Group.objects.filter(pk=role_id).annotate(holders=Count("customers")).first()
    if group is None:
        raise RoleNotFound()
    info = role_info(group, permissions_of_actor(actor), group.holders)
    if info.is_builtin:
        raise InvalidInput(reason=_("Built-in roles cannot be changed."))
    if not info.grantable:
        raise RoleEscalation()
    return info


def list_holders(*, codename: str) -> list[int]:
    """Return the Telegram ids of everyone holding ``codename`` who can receive a message."""
    holding_roles = [
        group_id
        for group_id in Group.objects.values_list("id", flat=True)
        if codename in roles.role_permissions(group_id)
    ]
    reachable = Customer.objects.filter(is_blocked=False, has_blocked_bot=False)
    ids = set(reachable.filter(role_id__in=holding_roles).values_list("telegram_id", flat=True))
    if (
        settings.OWNER_ID
        and Customer.objects.filter(telegram_id=settings.OWNER_ID, has_blocked_bot=False).exists()
    ):
        ids.add(settings.OWNER_ID)
    return sorted(ids)


# --- the audit log [view_audit] -------------------------------------------------
# Filter choices come from this many recent entries, so the screen never scans the whole log.
RECENT_ENTRIES = 1000
MAX_CHOICES = 8
# An action travels in callback data as a filter: short identifiers only (see callbacks.AUDIT_ACTION).
FILTERABLE_ACTION = re.compile(r"[a-z][a-z_]{0,29}")
# Telegram bots upload documents of up to 50 MB; a longer log is sent from its end.
MAX_LOG_BYTES = 45 * 1024 * 1024
LOG_FILES = {"log": "BOT_LOGFILE", "audit": "BOT_AUDITFILE"}


@dataclass(frozen=True)
class AuditFilters:
    """Who acted and what they did among the recent entries: the filter buttons."""

    actors: list[Customer]
    actions: list[str]


@dataclass(frozen=True)
class AuditPage:
    """A page of entries, and the admin it is filtered by (None: everyone)."""

    entries: Page[AuditEntry]
    admin: Customer | None


@dataclass(frozen=True)
class LogFile:
    name: str
    content: bytes  # the whole file, or its last MAX_LOG_BYTES
    truncated: bool


@requires("view_audit")
def list_audit_entries(
    *, actor: Actor, page: int = 1, admin_id: int | None = None, action: str | None = None
) -> AuditPage:
    """Return a page of audit entries, newest first, by one admin and of one action if given."""
    entries = AuditEntry.objects.select_related("actor").order_by("-created", "-id")
    admin = None
    if admin_id:
        admin = Customer.objects.filter(pk=admin_id).first()
        entries = entries.filter(actor_id=admin_id)
    if action:
        entries = entries.filter(action=action)
    return AuditPage(entries=paginate(entries, page=page), admin=admin)


@requires("view_audit")
def list_audit_filters(*, actor: Actor) -> AuditFilters:
    """Return the admins and the actions seen in the recent entries, most recent first."""
    recent = AuditEntry.objects.order_by("-created", "-id").values_list("actor_id", "action")[:RECENT_ENTRIES]
    actor_ids: list[int] = []
    actions: list[str] = []
    for actor_id, action in recent:
        if actor_id is not None and actor_id not in actor_ids and len(actor_ids) < MAX_CHOICES:
            actor_ids.append(actor_id)
        if FILTERABLE_ACTION.fullmatch(action) and action not in actions and len(actions) < MAX_CHOICES:
            actions.append(action)
    by_id = Customer.objects.in_bulk(actor_ids)
    return AuditFilters(actors=[by_id[pk] for pk in actor_ids if pk in by_id], actions=actions)


@requires("view_audit")
def read_log_file(*, actor: Actor, which: str) -> LogFile | None:
    """Return the bot's log or audit log file (its end when too long), or None when there is none.

    Audited, because the logs name customers and what admins did.
    """
    if which not in LOG_FILES:
        return None
    path = Path(getattr(settings, LOG_FILES[which]) or "")
    if not path.name or not path.is_file():
        return None
    size = path.stat().st_size
    with path.open("rb") as file:
        if size > MAX_LOG_BYTES:
            file.seek(size - MAX_LOG_BYTES)
        content = file.read(MAX_LOG_BYTES)
    record_audit(actor=actor, action="download_log", target=path.name, details={"bytes": len(content)})
    return LogFile(name=path.name, content=content, truncated=size > MAX_LOG_BYTES)
