"""Several customers served at once; each customer's updates one at a time, in the order they came.

While one customer's screen waits for Telegram or the database, the next
customer's update runs. A customer's own updates never overlap: a second
press waits until the first is answered, so a handler always sees what the
previous one of the same person wrote (prompt state, drafts, the cart).

PTB's ``concurrent_updates`` bound counts every update handed over, also
those waiting for their customer's turn; here it only caps the waiting room,
and ``workers`` bounds the updates that actually run.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

if TYPE_CHECKING:
    from telegrambot.fleet import Fleet

WAITING_MAX = 1024  # updates handed over and not yet finished, of all customers


@dataclass
class Turns:
    """One customer's updates: one runs, the rest wait for it, lowest ``update_id`` first."""

    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    waiting: list[tuple[int, int]] = field(default_factory=list)  # heap of (update_id, arrival)
    running: bool = False


def sender_of(update: object) -> int | None:
    """Return whose turn an update takes: its sender, or None (no one's, e.g. a channel post)."""
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


def close(coroutine: Awaitable[Any]) -> None:
    """Close a coroutine that will never run, so it is not reported as never awaited."""
    closing = getattr(coroutine, "close", None)
    if closing is not None:
        closing()


async def wake(turns: Turns) -> None:
    async with turns.changed:
        turns.changed.notify_all()


class OneUpdatePerCustomer(BaseUpdateProcessor):
    """Run up to ``workers`` updates at once, never two of one customer.

    With a ``fleet`` (webhook workers), an update first waits for the customer's
    turn across all workers (``telegrambot/fleet.py``), then runs; an update some
    worker already finished is skipped.
    """

    def __init__(self, workers: int, fleet: Fleet | None = None) -> None:
        super().__init__(max_concurrent_updates=max(WAITING_MAX, workers))
        self.workers = workers
        self.fleet = fleet
        self._running = asyncio.Semaphore(workers)
        self._turns: dict[int, Turns] = {}
        self._arrivals = itertools.count()

    @property
    def customers_waiting(self) -> int:
        """How many customers have an update running or waiting (for tests and metrics)."""
        return len(self._turns)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        update_id = getattr(update, "update_id", None)
        if self.fleet is None or update_id is None:
            await self.in_turn(update, coroutine)
            return
        # The fleet's turn before the in-process one: an earlier update of the customer claimed
        # from a dead worker must find this process's turn free, not held by a later update
        # that waits for it across the fleet (each would wait for the other).
        try:
            async with self.fleet.turn(sender_of(update), update_id) as done_before:
                if done_before:
                    close(coroutine)
                    return
                await self.in_turn(update, coroutine)
        except asyncio.CancelledError:
            close(coroutine)  # cancelled while waiting for its turn (shutdown): it never ran
            raise

    async def in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` when no other update of its sender runs in this process, lowest id first."""
        sender = sender_of(update)
        if sender is None:
            async with self._running:
                await coroutine
            return
        turns = self._turns.setdefault(sender, Turns())
        # Ordered by update_id, not arrival: webhook workers may read a customer's updates out of order.
        place = (getattr(update, "update_id", 0), next(self._arrivals))
        heapq.heappush(turns.waiting, place)
        started = False
        try:
            async with turns.changed:
                await turns.changed.wait_for(lambda: not turns.running and turns.waiting[0] == place)
                heapq.heappop(turns.waiting)
                turns.running = started = True
            try:
                async with self._running:
                    await coroutine
            finally:
                async with turns.changed:
                    turns.running = False
                    turns.changed.notify_all()
        except asyncio.CancelledError:
            if not started:
                turns.waiting.remove(place)
                heapq.heapify(turns.waiting)
                if turns.waiting:  # it may have been next: let the new first one look again
                    asyncio.ensure_future(wake(turns))
                close(coroutine)  # cancelled while waiting for its turn (shutdown): it never ran
            raise
        finally:
            if not turns.running and not turns.waiting and self._turns.get(sender) is turns:
                del self._turns[sender]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
