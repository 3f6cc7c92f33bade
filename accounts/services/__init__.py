"""Writes on users, roles and the audit log.

Lock order shared by every service in the project: customer rows first (in
ascending id when several), then payment rows, then stock rows, then promo rows.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _

from accounts import roles
from accounts.actors import Actor, actor_customer, actor_label, is_owner_actor, permissions_of_actor
from accounts.cache import forget_block_notice, forget_customer
from accounts.hooks import block_hooks
from accounts.models import PERMISSION_CODENAMES, AuditEntry, Customer
from accounts.services.web_users import sync_staff_user
from shopbot.errors import (
    CustomerNotFound,
    InvalidInput,
    OwnerProtected,
    PermissionDenied,
    RoleEscalation,
    RoleNotFound,
    ShopError,
)

P = ParamSpec("P")
R = TypeVar("R")
audit_log = logging.getLogger("shopbot.audit")
REFERRAL_PAYLOAD = re.compile(r"^(?:ref_(?P<code>[A-Za-z0-9]{4,16})|(?P<id>\d{1,15}))$")
ROLE_NAME_MAX = 64
BLOCK_REASON_MAX = 200
LAST_SEEN_PRECISION = timedelta(minutes=1)


def language_for(language_code: str | None) -> str:
    """Pick the shop language closest to Telegram's ``language_code``."""
    code = (language_code or "").lower()[:2]
    supported = {value for value, _label in Customer.Language.choices}
    return code if code in supported else settings.BOT_LOCALE


def find_referrer(*, payload: str | None, telegram_id: int) -> Customer | None:
    """Return the customer a ``/start`` payload names, ignoring garbage and oneself."""
    match = REFERRAL_PAYLOAD.match((payload or "").strip())
    if match is None:
        return None
    if match["code"]:
        referrer = Customer.objects.filter(referral_code=match["code"]).first()
    else:
        referrer = Customer.objects.filter(telegram_id=int(match["id"])).first()
    if referrer is None or referrer.telegram_id == telegram_id:
        return None
    return referrer


def register_customer(
    *,
    telegram_id: int,
    username: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
    language_code: str | None = None,
    start_payload: str | None = None,
) -> tuple[Customer, bool]:
    """Create the customer on first contact, or refresh their names; return (customer, created).

    Idempotent: a second ``/start`` (or two at once) never creates a second row
    and never changes the referrer chosen the first time.
    """
    names = customer_names(username=username, first_name=first_name, last_name=last_name)
    customer = Customer.objects.filter(telegram_id=telegram_id).first()
    if customer is not None:
        names = names_kept(customer, names)
        changed = {key: value for key, value in names.items() if getattr(customer, key) != value}
        # Every update passes here: a returning customer with nothing new costs one read, and
        # last_seen is written at most once a minute.
        if not is_up_to_date(customer, names):
            customer.last_seen = now()
            Customer.objects.filter(pk=customer.pk).update(
                last_seen=customer.last_seen, has_blocked_bot=False, **changed
            )
        for key, value in changed.items():
            setattr(customer, key, value)
        customer.has_blocked_bot = False
        return customer, False
    referrer = find_referrer(payload=start_payload, telegram_id=telegram_id)
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                telegram_id=telegram_id, language=language_for(language_code), referrer=referrer, **names
            )
    except IntegrityError:
        # Another update of the same user registered them a moment ago.
        return Customer.objects.get(telegram_id=telegram_id), False
    return customer, True


def customer_names(*, username: str | None, first_name: str | None, last_name: str | None) -> dict[str, str]:
    """The names Telegram sent, cut to the columns' lengths."""
    return {
        "username": (username or "")[:32],
        "first_name": (first_name or "")[:64],
        "last_name": (last_name or "")[:64],
    }


def names_kept(customer: Customer, names: dict[str, str]) -> dict[str, str]:
    """The names to keep for a returning customer: none for one who was anonymised."""
    return dict.fromkeys(names, "") if customer.anonymised_at is not None else names


def is_up_to_date(customer: Customer, names: dict[str, str]) -> bool:
    """Whether ``register_customer`` would write nothing for this contact (same names, seen lately)."""
    names = names_kept(customer, names)
    return (
        all(getattr(customer, key) == value for key, value in names.items())
        and not customer.has_blocked_bot
        and now() - customer.last_seen < LAST_SEEN_PRECISION
    )


def get_customer_for_update(*, telegram_id: int) -> Customer:
    """Lock and return a customer; the caller must be inside a transaction."""
    customer = Customer.objects.select_for_update().filter(telegram_id=telegram_id).first()
    if customer is None:
        raise CustomerNotFound()
    return customer


def record_audit(
    *, actor: Actor | None, action: str, target: object = "", details: dict[str, Any] | None = None
) -> AuditEntry:
    """Write an audit entry, and to the audit log file once the transaction commits."""
    label = actor_label(actor)
    entry = AuditEntry.objects.create(
        actor=actor_customer(actor),
        actor_label=label[:100],
        action=action[:64],
        target=str(target)[:200],
        details=details or {},
    )
    transaction.on_commit(lambda: audit_log.info("%s %s %s %s", label, action, entry.target, entry.details))
    return entry


def require_permission(*, actor: Actor, codename: str, action: str = "") -> None:
    """Refuse with ``PermissionDenied`` unless ``actor`` holds ``codename``; audit a refusal.

    Call it outside the service's transaction (``@requires`` does), so the
    audit entry of a refusal is not rolled back with the refused work.
    """
    if codename in permissions_of_actor(actor):
        return
    label = actor_label(actor)
    AuditEntry.objects.create(
        actor=actor_customer(actor),
        actor_label=label,
        action="permission_denied",
        target=(action or codename)[:200],
        details={"permission": codename},
    )
    audit_log.warning("%s permission_denied %s", label, action or codename)
    raise PermissionDenied()


def requires(codename: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Check the ``actor`` keyword's permission before the wrapped service's transaction."""

    def decorator(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            actor: Actor = kwargs["actor"]  # type: ignore[assignment]
            require_permission(actor=actor, codename=codename, action=service.__name__)
            try:
                return service(*args, **kwargs)
            except (RoleEscalation, OwnerProtected) as refusal:
                # Written after the service's transaction rolled back, so the entry stays.
                record_escalation(actor=actor, action=service.__name__, refusal=refusal)
                raise

        return wrapper

    return decorator


def record_escalation(*, actor: Actor, action: str, refusal: ShopError) -> None:
    """Audit an attempt to reach above one's own permissions or at the owner."""
    label = actor_label(actor)
    AuditEntry.objects.create(
        actor=actor_customer(actor),
        actor_label=label[:100],
        action="escalation_refused",
        target=action[:200],
        details={"refusal": type(refusal).__name__},
    )
    audit_log.warning("%s escalation_refused %s", label, action)


def set_language(*, telegram_id: int, language: str) -> Customer:
    """Remember the language a customer chose."""
    if language not in {value for value, _label in Customer.Language.choices}:
        raise InvalidInput(reason=_("This language is not supported."))
    updated = Customer.objects.filter(telegram_id=telegram_id).update(language=language)
    if not updated:
        raise CustomerNotFound()
    forget_customer(telegram_id)
    return Customer.objects.get(telegram_id=telegram_id)


@requires("manage_users")
@transaction.atomic
def set_blocked(*, actor: Actor, telegram_id: int, blocked: bool, reason: object = "") -> Customer:
    """Block (with a reason) or unblock a customer; the owner and one's betters cannot be blocked.

    Blocking runs every app's block hook in this transaction, under the
    customer's lock (``accounts.hooks.block_hooks``: catalog refuses the open
    claims), and makes the gate tell the customer once, with the reason.
    """
    reason = clean_block_reason(reason) if blocked else ""
    customer = refuse_unblockable(get_customer_for_update(telegram_id=telegram_id), actor=actor)
    customer.is_blocked = blocked
    customer.block_reason = reason
    customer.blocked_at = now() if blocked else None
    customer.save(update_fields=["is_blocked", "block_reason", "blocked_at"])
    sync_staff_user(customer)  # a blocked admin's web login stops working too
    details: dict[str, Any] = {}
    if blocked:
        done = block_hooks.run(customer=customer, actor=actor, reason=reason)
        details = {"reason": reason, **{name: result for name, result in done.items() if result}}
    # A new block is told again (the gate tells each block once).
    transaction.on_commit(lambda: forget_block_notice(telegram_id))
    record_audit(
        actor=actor, action="block_user" if blocked else "unblock_user", target=customer, details=details
    )
    return customer


@requires("manage_users")
def check_blockable(*, actor: Actor, telegram_id: int) -> Customer:
    """Refuse, before a reason is asked for, a block that ``set_blocked`` would refuse (reads only)."""
    customer = Customer.objects.filter(telegram_id=telegram_id).first()
    if customer is None:
        raise CustomerNotFound()
    return refuse_unblockable(customer, actor=actor)


def refuse_unblockable(customer: Customer, *, actor: Actor) -> Customer:
    if customer.is_owner:
        raise OwnerProtected()
    if customer == actor_customer(actor):
        raise PermissionDenied()
    if not permissions_of_subset(customer, actor):
        raise RoleEscalation()
    return customer


def clean_block_reason(reason: object) -> str:
    text = " ".join(reason.split()) if isinstance(reason, str) else ""
    if not text or len(text) > BLOCK_REASON_MAX:
        raise InvalidInput(
            reason=_("Write the reason for the block, 1 to %(max)s characters.") % {"max": BLOCK_REASON_MAX}
        )
    return text


def mark_bot_blocked(*, telegram_id: int) -> None:
    """Remember that a user blocked the bot, so broadcasts skip them."""
    Customer.objects.filter(telegram_id=telegram_id).update(has_blocked_bot=True)
    forget_customer(telegram_id)


def permissions_of_subset(target: Customer, actor: Actor) -> bool:
    return roles.permissions_of(target) <= permissions_of_actor(actor)


def check_codenames(codenames: Iterable[str]) -> list[str]:
    chosen = sorted(set(codenames))
    unknown = [codename for codename in chosen if codename not in PERMISSION_CODENAMES]
    if unknown:
        raise InvalidInput(reason=_("Unknown permission: %(name)s") % {"name": unknown[0][:40]})
    return chosen


def clean_role_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > ROLE_NAME_MAX:
        raise InvalidInput(reason=_("A role name must be 1 to %(max)s characters.") % {"max": ROLE_NAME_MAX})
    return name


@requires("manage_roles")
@transaction.atomic
def save_role(*, actor: Actor, name: str, codenames: Iterable[str], role_id: int | None = None) -> Group:
    """Create a role, or change an existing one, without granting more than the actor holds."""
    chosen = check_codenames(codenames)
    if not set(chosen) <= permissions_of_actor(actor):
        raise RoleEscalation()
    name = clean_role_name(name)
    if role_id is None:
        if Group.objects.filter(name=name).exists():
            raise InvalidInput(reason=_("A role with this name already exists."))
        group = Group.objects.create(name=name)
    else:
        group = Group.objects.select_for_update().filter(pk=role_id).first()
        if group is None:
            raise RoleNotFound()
        if group.name in roles.BUILTIN_ROLES:
            raise InvalidInput(reason=_("Built-in roles cannot be changed."))
        if not roles.role_permissions(group.pk) <= permissions_of_actor(actor):
            raise RoleEscalation()
        if Group.objects.filter(name=name).exclude(pk=group.pk).exists():
            raise InvalidInput(reason=_("A role with this name already exists."))
        group.name = name
        group.save(update_fields=["name"])
    permissions = Permission.objects.filter(content_type__app_label="accounts", codename__in=chosen)
    group.permissions.set(permissions)
    transaction.on_commit(lambda: roles.invalidate_role_cache(group.pk))
    record_audit(actor=actor, action="save_role", target=group.name, details={"permissions": chosen})
    return group


@requires("manage_roles")
@transaction.atomic
def assign_role(*, actor: Actor, telegram_id: int, role_id: int | None) -> Customer:
    """Give a customer a role (``None``: plain customer) without escalation.

    Refused when the role holds a permission the actor lacks, when the target
    already holds more than the actor, or when the target is the owner.
    """
    customer = get_customer_for_update(telegram_id=telegram_id)
    if customer.is_owner:
        raise OwnerProtected()
    if customer == actor_customer(actor) and not is_owner_actor(actor):
        raise RoleEscalation()
    group = None
    if role_id is not None:
        group = Group.objects.filter(pk=role_id).first()
        if group is None:
            raise RoleNotFound()
    if not roles.role_permissions(role_id) <= permissions_of_actor(actor):
        raise RoleEscalation()
    if not permissions_of_subset(customer, actor):
        raise RoleEscalation()
    customer.role = group
    customer.save(update_fields=["role"])
    sync_staff_user(customer)  # the web admin follows the new role at once
    record_audit(
        actor=actor, action="assign_role", target=customer, details={"role": group.name if group else None}
    )
    return customer


@requires("manage_roles")
@transaction.atomic
def delete_role(*, actor: Actor, role_id: int) -> int:
    """Delete a custom role; its holders become plain customers. Return how many held it.

    Refuses built-in roles, roles holding a permission the actor lacks, and the
    actor's own role (unless the actor is the owner).
    """
    group = Group.objects.select_for_update().filter(pk=role_id).first() if isinstance(role_id, int) else None
    if group is None:
        raise RoleNotFound()
    if group.name in roles.BUILTIN_ROLES:
        raise InvalidInput(reason=_("Built-in roles cannot be deleted."))
    if not roles.role_permissions(group.pk) <= permissions_of_actor(actor):
        raise RoleEscalation()
    own = actor_customer(actor)
    if own is not None and own.role_id == group.pk and not own.is_owner:
        raise RoleEscalation()
    holders = Customer.objects.filter(role=group).count()
    record_audit(actor=actor, action="delete_role", target=group.name, details={"holders": holders})
    deleted_id = group.pk
    group.delete()  # holders' role becomes empty (SET_NULL)
    transaction.on_commit(lambda: roles.invalidate_role_cache(deleted_id))
    return holders
