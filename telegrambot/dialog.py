"""What a user is in the middle of typing, kept in ``DialogState`` so a restart loses nothing.

A handler that asks for text calls ``set_state`` through the adapter; the
prompt dispatcher (``handlers/prompts.py``) reads the state when the answer
arrives, whichever process receives it, and calls the feature's prompt
handler. States are short names owned by features, such as ``"top_up_amount"``;
``data`` is a small JSON draft (ids and numbers, never anything secret).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils.timezone import now

from telegrambot.models import DialogState

# A prompt left unanswered this long is forgotten, so stray text a week later is not taken as an answer.
STATE_LIFETIME = timedelta(days=1)


@dataclass(frozen=True)
class Dialog:
    """The state a user is in and the draft gathered so far."""

    state: str
    data: dict[str, Any] = field(default_factory=dict)


def set_state(*, telegram_id: int, state: str, data: dict[str, Any] | None = None) -> Dialog:
    """Remember that ``telegram_id`` is now answering ``state``, replacing any earlier prompt."""
    DialogState.objects.update_or_create(
        telegram_id=telegram_id, defaults={"state": state, "data": data or {}, "updated": now()}
    )
    return Dialog(state=state, data=data or {})


def get_state(*, telegram_id: int) -> Dialog | None:
    """Return the prompt ``telegram_id`` is answering, or None."""
    row = DialogState.objects.filter(telegram_id=telegram_id, updated__gte=now() - STATE_LIFETIME).first()
    return None if row is None else Dialog(state=row.state, data=dict(row.data))


def clear_state(*, telegram_id: int) -> None:
    """Forget any prompt of ``telegram_id``."""
    DialogState.objects.filter(telegram_id=telegram_id).delete()
