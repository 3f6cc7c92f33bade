"""Reads on the audit log for holders of view_audit: paged entries, filter choices, the log files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from accounts.actors import Actor
from accounts.models import AuditEntry, Customer
from accounts.selectors import Page, paginate
from accounts.services import record_audit, requires

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
