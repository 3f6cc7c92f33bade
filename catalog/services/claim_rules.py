"""What may be claimed, and how: the warranty, the per-customer rate, the attachment.

Rules without locks, shared by ``catalog.services.claims`` (which re-exports
them) and the tickets, which take attachments the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.timezone import now
from django.utils.translation import gettext as _

from catalog.models import Claim, Purchase
from shopbot.errors import InvalidInput

FILE_ID_MAX_LENGTH = 255
PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"(\d+)/(\d*)([smhd])")
UNDECIDED = [Claim.Status.OPEN, Claim.Status.WAITING]


@dataclass(frozen=True)
class Attachment:
    """One photo or document the customer sent with a claim, by its Telegram file id."""

    kind: str  # Claim.AttachmentKind.PHOTO or DOCUMENT
    file_id: str


def claim_window() -> tuple[int, timedelta] | None:
    """Return how many claims a customer may open per how long (``RATE_LIMIT_CLAIM``), or None."""
    match = RATE.fullmatch(settings.RATE_LIMIT_CLAIM or "")
    if not settings.RATE_LIMITS or match is None:
        return None
    count, multiple, unit = match.groups()
    return int(count), timedelta(seconds=int(multiple or 1) * PERIOD_SECONDS[unit])


def why_not_claimable(
    purchase: Purchase, *, at: object = None, replaced: bool | None = None, claimed: bool | None = None
) -> str:
    """Why ``purchase`` cannot be claimed now, or "" (no locks); ``replaced``/``claimed`` if already read."""
    at = at or now()
    if purchase.refunded_at is not None:
        return _("This purchase has been refunded.")
    if replaced is None:
        replaced = Purchase.objects.filter(replaces=purchase).exists()
    if replaced:
        return _("This purchase has already been replaced.")
    if claimed is None:
        claimed = Claim.objects.filter(purchase=purchase, status__in=UNDECIDED).exists()
    if claimed:
        return _("A problem with this purchase is already reported; staff will answer soon.")
    if purchase.warranty_until is None:
        return _("This purchase has no warranty.")
    if purchase.warranty_until < at:
        return _("The warranty of this purchase has ended.")
    return ""


def clean_attachment(attachment: object) -> Attachment | None:
    if attachment is None:
        return None
    if (
        not isinstance(attachment, Attachment)
        or attachment.kind not in (Claim.AttachmentKind.PHOTO, Claim.AttachmentKind.DOCUMENT)
        or not isinstance(attachment.file_id, str)
        or not 0 < len(attachment.file_id) <= FILE_ID_MAX_LENGTH
    ):
        raise InvalidInput(reason=_("Send one photo or one document."))
    return attachment
