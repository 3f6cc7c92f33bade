"""Reads on customers: who may shop, referrals, and the ``Page`` that every paged list returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import QuerySet

from accounts.models import Customer
from shopbot.errors import CustomerBlocked, CustomerNotFound

T = TypeVar("T")
PAGE_SIZE = 10
# Deeper pages only come from forged callback data; clamp instead of scanning.
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, and whether there are pages on either side of it; ``number`` counts from 1."""

    items: list[T]
    number: int
    has_previous: bool
    has_next: bool


def clean_page(page: object) -> int:
    """Return a page number within 1..MAX_PAGE; anything else becomes the nearest valid page."""
    if isinstance(page, str) and page.strip().isascii() and page.strip().isdigit() and len(page.strip()) < 8:
        page = int(page.strip())
    if isinstance(page, bool) or not isinstance(page, int):
        return 1
    return min(max(page, 1), MAX_PAGE)


def paginate(rows: QuerySet[T] | Sequence[T], *, page: object, size: int = PAGE_SIZE) -> Page[T]:
    """Return page ``page`` of ordered rows (a queryset or a loaded list), reading only that page and one row more.

    Every paged list of the shop (the bot's screens, the admin menu, the
    cart's lines) comes through here, so a forged page number means the same
    everywhere. No count of a table is made.
    """
    number = clean_page(page)
    start = (number - 1) * size
    found = list(rows[start : start + size + 1])
    return Page(items=found[:size], number=number, has_previous=number > 1, has_next=len(found) > size)


def may_shop(customer: Customer) -> bool:
    """Return whether ``customer`` may shop: anyone not blocked, and the owner always.

    The one rule behind the bot's gate, every purchase and every top-up.
    """
    return not customer.is_blocked or customer.is_owner


def check_may_shop(customer: Customer) -> Customer:
    """Return ``customer`` if they may shop; raise ``CustomerBlocked`` otherwise."""
    if not may_shop(customer):
        raise CustomerBlocked()
    return customer


def get_buyer(*, telegram_id: int) -> Customer:
    """Return a customer who may shop, without a lock (for screens and checks before a purchase or a top-up)."""
    customer = Customer.objects.filter(telegram_id=telegram_id).first()
    if customer is None:
        raise CustomerNotFound()
    return check_may_shop(customer)


def count_referrals(*, telegram_id: int) -> int:
    """Return how many customers joined with ``telegram_id``'s link."""
    return Customer.objects.filter(referrer__telegram_id=telegram_id).count()


def list_referrals(*, telegram_id: int, page: int) -> Page[Customer]:
    """Return the customers ``telegram_id`` invited, newest first."""
    queryset = Customer.objects.filter(referrer__telegram_id=telegram_id).order_by("-created", "-id")
    return paginate(queryset, page=page)
