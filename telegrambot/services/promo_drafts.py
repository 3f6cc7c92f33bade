"""Promo codes written step by step in the bot: each typed answer checked, the permission re-checked.

The draft lives in ``DialogState`` (a restart loses nothing); every step is
checked with the same rules ``catalog.services.promos.save_promo`` applies at
the end, so a mistake is refused where it was typed. Each step, typed or
pressed, re-checks ``manage_promos`` and audits a refusal: a prompt answered
after the permission was taken away changes nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.actors import Actor
from accounts.services import requires
from catalog import selectors
from catalog.models import Category, Product, PromoCode
from catalog.selectors import Page
from catalog.services.common import clean_id, clean_int
from catalog.services.promos import MAX_USES, check_may_mint, clean_code, clean_expiry, clean_value
from shopbot.errors import InvalidInput, NameTaken, PromoNotFound, ShopError

EXPIRY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?")


class StepExpired(ShopError):
    """A button of a step that is no longer being answered (pressed twice, or forged)."""

    message = gettext_lazy("This step is no longer open. Start again from the promo codes.")


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
        raise StepExpired()
    if kind == PromoCode.Kind.BALANCE:
        check_may_mint(actor)
    return kind


@requires("manage_promos")
def check_value(*, actor: Actor, kind: str, text: str) -> str:
    """Return the typed value as a string Decimal: a percent up to 100, or an amount up to MAX_AMOUNT."""
    if kind not in PromoCode.Kind.values:
        raise StepExpired()
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


@requires("manage_promos")
def list_promos(*, actor: Actor, page: int) -> Page[PromoCode]:
    """Return a page of promo codes, newest first, with their usage."""
    return selectors.list_promo_codes(page=page)


@requires("manage_promos")
def get_promo(*, actor: Actor, promo_id: int) -> PromoCode:
    """Return one promo code with what it is bound to."""
    promo = (
        PromoCode.objects.select_related("category", "product")
        .filter(pk=clean_id(promo_id, PromoNotFound))
        .first()
    )
    if promo is None:
        raise PromoNotFound()
    return promo


@requires("manage_promos")
def list_categories(*, actor: Actor, page: int) -> Page[Category]:
    """Return a page of every category, to bind a code to one or to pick a product in it."""
    return selectors.list_all_categories(page=page)


@requires("manage_promos")
def list_products(*, actor: Actor, category_id: int, page: int) -> Page[Product]:
    """Return a page of a category's products, to bind a code to one."""
    return selectors.list_all_products(category_id=category_id, page=page)


def parse_expiry(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
