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


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; ``number`` counts from 1."""

    items: Sequence[T]
    number: int
    has_previous: bool
    has_next: bool


def paginate(queryset: QuerySet[T], *, page: int, size: int = PAGE_SIZE) -> Page[T]:
    """Return page ``page`` of an ordered queryset, reading only that page and one row more."""
    page = max(page, 1)
    start = (page - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(items=rows[:size], number=page, has_previous=page > 1, has_next=len(rows) > size)


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
