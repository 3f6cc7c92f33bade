"""The outboxes' one claiming rule: unsent rows, held for a while by one sender at a time.

Payment, ticket and staff notices are written in the transaction of what
they tell and sent afterwards by the bot's jobs (or at once by the face that
caused them). A sender claims rows by holding them (``claimed_until``), marks
those Telegram accepted sent, and a sender that died leaves its rows to be
claimed again once the hold ends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.timezone import now

M = TypeVar("M", bound=Model)


def hold_unsent(rows: QuerySet[M], *, seconds: int, limit: int) -> list[M]:
    """Lock the oldest ``limit`` unsent rows of ``rows`` nobody holds, hold them ``seconds``; return them.

    ``rows`` is the outbox's queryset as the caller narrowed it (the model
    has ``claimed_until`` and ``sent_at``). Rows another sender locks or
    holds are skipped, so two senders never hand out the same row. Must run
    inside the caller's transaction.
    """
    at = now()
    pending = rows.select_for_update(skip_locked=True, of=("self",)).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=at), sent_at__isnull=True
    )
    held = list(pending.order_by("id")[:limit])
    if held:
        rows.model.objects.filter(pk__in=[row.pk for row in held]).update(
            claimed_until=at + timedelta(seconds=seconds)
        )
    return held
