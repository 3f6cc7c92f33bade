"""What a user is in the middle of typing, kept in ``DialogState`` so a restart loses nothing.

A handler that asks for text calls ``set_state`` through the adapter; the
prompt dispatcher (``handlers/prompts.py``) reads the state when the answer
arrives, whichever process receives it, and calls the feature's prompt
handler. States are short names owned by features, such as ``"top_up_amount"``;
``data`` is a small JSON draft (ids and numbers, never anything secret).

Most updates find no prompt: a marker in the shared cache remembers that a
user has none, so the menu and the shop screens skip the table. The marker is
only a shortcut: it is dropped before any state is written, and without it
(a cache restart, an outage) the table answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django.utils.timezone import now

from accounts.models import Customer
from shopbot import warmcache
from telegrambot.models import DialogState

# A prompt left unanswered this long is forgotten, so stray text a week later is not taken as an answer.
STATE_LIFETIME = timedelta(days=1)
NO_STATE_SECONDS = 60 * 60
R = TypeVar("R")


@dataclass(frozen=True)
class Dialog:
    """The state a user is in and the draft gathered so far."""

    state: str
    data: dict[str, Any] = field(default_factory=dict)


def no_state_key(telegram_id: int) -> str:
    return f"dialog:none:{telegram_id}"


def knows_no_state(telegram_id: int) -> bool:
    try:
        return bool(warmcache.get(no_state_key(telegram_id)))  # also on the event loop
    except Exception:  # noqa: BLE001 - the table answers when the cache cannot
        return False


def remember_no_state(telegram_id: int) -> None:
    try:
        cache.set(no_state_key(telegram_id), True, NO_STATE_SECONDS)
    except Exception:  # noqa: BLE001 - only a shortcut: without it the table answers
        pass


def set_state(*, telegram_id: int, state: str, data: dict[str, Any] | None = None) -> Dialog:
    """Remember that ``telegram_id`` is now answering ``state``, replacing any earlier prompt."""
    # Dropped first: if this fails, the state is not written, and no stale marker hides it.
    cache.delete(no_state_key(telegram_id))
    # One INSERT ... ON CONFLICT DO UPDATE rather than a locked read and a write.
    DialogState.objects.bulk_create(
        [DialogState(telegram_id=telegram_id, state=state, data=data or {}, updated=now())],
        update_conflicts=True,
        unique_fields=["telegram_id"],
        update_fields=["state", "data", "updated"],
    )
    return Dialog(state=state, data=data or {})


def get_state(*, telegram_id: int) -> Dialog | None:
    """Return the prompt ``telegram_id`` is answering, or None."""
    if knows_no_state(telegram_id):
        return None
    warmcache.needs_orm()
    row = DialogState.objects.filter(telegram_id=telegram_id, updated__gte=now() - STATE_LIFETIME).first()
    if row is None:
        remember_no_state(telegram_id)
        return None
    return Dialog(state=row.state, data=dict(row.data))


def take_state(*, telegram_id: int, state: str) -> Dialog | None:
    """Remove and return the prompt of ``telegram_id`` if it is ``state``: one query, and only once.

    Two updates taking the same state at once (a double press on Pay) cannot
    both get it: the row is deleted and returned by one statement.
    """
    if knows_no_state(telegram_id):
        return None
    table = connection.ops.quote_name(DialogState._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE telegram_id = %s AND state = %s AND updated >= %s RETURNING data",
            [telegram_id, state, connection.ops.adapt_datetimefield_value(now() - STATE_LIFETIME)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    remember_no_state(telegram_id)
    data = row[0]
    return Dialog(state=state, data=json.loads(data) if isinstance(data, str) else dict(data))


def clear_state(*, telegram_id: int) -> None:
    """Forget any prompt of ``telegram_id``."""
    if knows_no_state(telegram_id):
        return
    warmcache.needs_orm()
    DialogState.objects.filter(telegram_id=telegram_id).delete()
    remember_no_state(telegram_id)


def finish_with(write: Callable[..., R], *, answered_by: int, **kwargs: Any) -> R:
    """Run the write a typed answer asks for, then end ``answered_by``'s prompt, in one ORM call.

    A prompt that moves money or writes anything must not outlive its write:
    if the screen shown afterwards fails, the next message would otherwise be
    taken as the same answer again (a second credit). The prompt ends as soon
    as the write has committed, before anything is shown. Not in the write's
    own transaction: services audit a refusal outside theirs, and an outer
    transaction would roll that entry back. A refused write keeps the prompt,
    so the user can try again.
    """
    result = write(**kwargs)
    DialogState.objects.filter(telegram_id=answered_by).delete()
    remember_no_state(answered_by)
    return result


def forget_customer_dialog(*, customer: Customer) -> int:
    """Drop what an anonymised customer was typing (a scrubber, ``accounts.hooks``); return rows removed."""
    removed, _by_model = DialogState.objects.filter(telegram_id=customer.telegram_id).delete()
    transaction.on_commit(lambda: remember_no_state(customer.telegram_id))
    return removed
