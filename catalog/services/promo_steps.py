"""A promo code written step by step (the bot's admin menu): each answer checked, the permission re-checked.

The face keeps the draft (the bot in ``DialogState``, so a restart loses
nothing); every step is checked here with the rules ``promos.save_promo``
applies at the end, so a mistake is refused where it was typed. Each step,
typed or pressed, re-checks ``manage_promos`` and audits a refusal: a prompt
answered after the permission was taken away changes nothing. The reads the
steps show (codes, categories, products) are ``catalog.selectors.staff``.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.services import requires
from catalog.models import PromoCode
from catalog.services.common import clean_int
from catalog.services.promos import MAX_USES, check_may_mint, clean_code, clean_expiry, clean_value
from shopbot.errors import InvalidInput, NameTaken, PromoStepExpired

EXPIRY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?")


@requires("manage_promos")
def check_step(*, actor: Actor) -> None:
    """Refuse (and audit) unless ``actor`` may still manage promo codes."""


@requires("manage_promos")
def check_code(*, actor: Actor, text: str) -> str:
    """Return the typed code upper-cased; refuse a malformed code or one already in use."""
    code = clean_code(text)
    if PromoCode.objects.filter(code=code).exists():
        raise NameTaken(name=code)
    return code


@requires("manage_promos")
def check_kind(*, actor: Actor, kind: str) -> str:
    """Return the chosen kind; a balance code also needs ``manage_balances`` (audited refusal)."""
    if kind not in PromoCode.Kind.values:
        raise PromoStepExpired()
    if kind == PromoCode.Kind.BALANCE:
        check_may_mint(actor)
    return kind


@requires("manage_promos")
def check_value(*, actor: Actor, kind: str, text: str) -> str:
    """Return the typed value as a string Decimal: a percent up to 100, or an amount up to MAX_AMOUNT."""
    if kind not in PromoCode.Kind.values:
        raise PromoStepExpired()
    return str(clean_value(kind, text))


@requires("manage_promos")
def check_max_uses(*, actor: Actor, text: str) -> int:
    return clean_int(text, minimum=1, maximum=MAX_USES, what=_("The number of uses"))


@requires("manage_promos")
def check_expiry(*, actor: Actor, text: str) -> str:
    """Return the typed expiry (shop time zone; a date alone means its end) as an ISO string."""
    match = EXPIRY.fullmatch(text.strip())
    if match is None:
        raise InvalidInput(
            reason=_("Send the expiry as YYYY-MM-DD or YYYY-MM-DD HH:MM, for example 2030-12-31.")
        )
    year, month, day, hour, minute = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour) if hour is not None else 23,
            int(minute) if minute is not None else 59,
            tzinfo=ZoneInfo(settings.TIME_ZONE),
        )
    except ValueError:
        raise InvalidInput(reason=_("There is no such date or time.")) from None
    expiry = clean_expiry(moment)
    assert expiry is not None
    return expiry.isoformat()


def parse_expiry(value: str | None) -> datetime | None:
    """Return the expiry ``check_expiry`` returned, as the datetime ``save_promo`` takes."""
    return datetime.fromisoformat(value) if value else None
