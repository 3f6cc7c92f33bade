"""Reads on staff notifications: which events a staff member may get, which they chose, who gets one."""

from __future__ import annotations

from dataclasses import dataclass

from accounts import roles
from accounts.actors import Actor, actor_customer
from accounts.models import EVENT_PERMISSIONS, Customer, StaffEvent
from accounts.selectors.staff import list_holders
from shopbot.errors import PermissionDenied


@dataclass(frozen=True)
class NotificationChoice:
    event: str
    on: bool


def allowed_events(customer: Customer) -> list[str]:
    """The events ``customer``'s permissions let them be told of, in the order shown."""
    held = roles.permissions_of(customer)
    return [event.value for event in StaffEvent if EVENT_PERMISSIONS[event] in held]


def chosen_events(customer: Customer) -> list[str]:
    """The events ``customer`` gets: their choice within what they may get, or all of that."""
    allowed = allowed_events(customer)
    if customer.staff_notifications is None:
        return allowed
    return [event for event in allowed if event in customer.staff_notifications]


def staff_for(event: str) -> list[int]:
    """The Telegram ids of the reachable staff who get ``event``."""
    holders = list_holders(codename=EVENT_PERMISSIONS[StaffEvent(event)])
    customers = Customer.objects.filter(telegram_id__in=holders)
    return sorted(
        customer.telegram_id
        for customer in customers
        if customer.staff_notifications is None or event in customer.staff_notifications
    )


def list_notification_choices(*, actor: Actor) -> list[NotificationChoice]:
    """The events the acting staff member may get, each with whether they get it; refused to non-staff."""
    customer = actor_customer(actor)
    if customer is not None:
        customer = Customer.objects.get(pk=customer.pk)  # the choice just made, not the gate's cached row
    allowed = allowed_events(customer) if customer is not None else []
    if not allowed:
        raise PermissionDenied()
    chosen = set(chosen_events(customer))
    return [NotificationChoice(event=event, on=event in chosen) for event in allowed]
