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
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

WAITING_MAX = 1024  # updates handed over and not yet finished, of all customers


@dataclass
class Turns:
    """One customer's updates: the one running holds the lock, the rest wait for it in order."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: int = 0


def sender_of(update: object) -> int | None:
    """Return whose turn an update takes: its sender, or None (no one's, e.g. a channel post)."""
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


class OneUpdatePerCustomer(BaseUpdateProcessor):
    """Run up to ``workers`` updates at once, never two of one customer."""

    def __init__(self, workers: int) -> None:
        super().__init__(max_concurrent_updates=max(WAITING_MAX, workers))
        self.workers = workers
        self._running = asyncio.Semaphore(workers)
        self._turns: dict[int, Turns] = {}

    @property
    def customers_waiting(self) -> int:
        """How many customers have an update running or waiting (for tests and metrics)."""
        return len(self._turns)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        sender = sender_of(update)
        if sender is None:
            async with self._running:
                await coroutine
            return
        turns = self._turns.setdefault(sender, Turns())
        turns.pending += 1
        try:
            # asyncio.Lock wakes its waiters first come, first served: updates keep their order.
            async with turns.lock, self._running:
                await coroutine
        except asyncio.CancelledError:
            close = getattr(coroutine, "close", None)
            if close is not None:
                close()  # cancelled while waiting for its turn (shutdown): it never ran
            raise
        finally:
            turns.pending -= 1
            if not turns.pending:
                del self._turns[sender]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
