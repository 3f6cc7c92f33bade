"""Maintenance mode: a flag in the database that closes the shop to customers.

While it is on, the gate answers customers with a short notice and admins
keep working; payments Telegram already took are still credited (the gate
lets them through before it looks at the flag). The flag is read on every
update, so it is cached briefly in the shared cache; switching it writes the
new value there once the change commits, so every worker sees it at once.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils.timezone import now

from accounts.actors import Actor, actor_customer
from accounts.services import record_audit, requires
from shopbot import warmcache
from telegrambot.models import MaintenanceMode

CACHE_KEY = "maintenance-mode"
CACHE_SECONDS = 10
ROW_ID = 1


def is_maintenance_on() -> bool:
    """Return whether the shop is closed for maintenance (cached for a few seconds)."""
    cached = warmcache.get(CACHE_KEY)  # also on the bot's event loop (the gate)
    if cached is None:
        warmcache.needs_orm()
        cached = bool(MaintenanceMode.objects.filter(pk=ROW_ID, enabled=True).exists())
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return bool(cached)


@requires("maintenance")
def get_maintenance(*, actor: Actor) -> MaintenanceMode:
    """Return the maintenance flag with who changed it last, for the admin screen."""
    row = MaintenanceMode.objects.select_related("changed_by").filter(pk=ROW_ID).first()
    return row or MaintenanceMode(pk=ROW_ID, enabled=False)


@requires("maintenance")
@transaction.atomic
def set_maintenance(*, actor: Actor, enabled: bool) -> MaintenanceMode:
    """Switch maintenance mode on or off; audited. Locks the flag's row."""
    row, _created = MaintenanceMode.objects.select_for_update().get_or_create(pk=ROW_ID)
    row.enabled, row.changed_by, row.changed = bool(enabled), actor_customer(actor), now()
    row.save()
    record_audit(actor=actor, action="maintenance_on" if enabled else "maintenance_off")
    # Forgotten now, so this worker reads the new value; set again on commit, in case
    # another worker cached the old one in between.
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.set(CACHE_KEY, row.enabled, CACHE_SECONDS))
    return row
