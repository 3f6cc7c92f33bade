"""Callback data routes: every button's ``callback_data`` is built and parsed here.

A route is a short prefix followed by typed fields, ``"pur:42:3"``. Fields
carry ids, page numbers, amounts in cents or one of a few fixed words, never
names or free text. Each route has a strict regular expression, so a forged or
malformed string matches no handler and reaches the catch-all refusal in
``handlers/fallback.py``. Telegram refuses ``callback_data`` over 64 bytes;
``build`` refuses it first.
"""

from __future__ import annotations

import re
from decimal import Decimal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_CALLBACK_BYTES = 64


@dataclass(frozen=True)
class Field:
    """One typed part of a callback string."""

    regex: str
    convert: Callable[[str], Any]
    render: Callable[[Any], str] = str


# Database ids start at 1; 18 digits fit a BigAutoField.
ID = Field(r"[1-9]\d{0,17}", int)
# Pages are numbered from 1; nobody pages past 99,999.
PAGE = Field(r"[1-9]\d{0,4}", int)
# An amount of PAY_CURRENCY travels as whole cents (money has two places), at most 12
# digits like a money_field; it is built from and parsed to a Decimal.
AMOUNT = Field(r"[1-9]\d{0,11}", lambda raw: Decimal(raw).scaleb(-2), lambda amount: str(int(amount.scaleb(2))))


def choice(*values: str) -> Field:
    """Return a field that accepts exactly one of ``values``."""
    return Field("(?:" + "|".join(re.escape(value) for value in values) + ")", str)


@dataclass(frozen=True)
class Route:
    """A family of callback strings ``"<prefix>[:<field>]..."``."""

    prefix: str
    fields: tuple[Field, ...] = ()
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __init__(self, prefix: str, *fields: Field) -> None:
        object.__setattr__(self, "prefix", prefix)
        object.__setattr__(self, "fields", fields)
        parts = [re.escape(prefix), *(f"({item.regex})" for item in fields)]
        object.__setattr__(self, "regex", re.compile("^" + ":".join(parts) + "$"))

    @property
    def pattern(self) -> re.Pattern[str]:
        """The pattern for ``CallbackQueryHandler``: the whole string, nothing more."""
        return self.regex

    def build(self, *values: object) -> str:
        """Return the callback string for ``values``; refuse what the pattern would refuse."""
        if len(values) != len(self.fields):
            raise ValueError(f"{self.prefix} takes {len(self.fields)} values, got {len(values)}")
        data = ":".join([self.prefix, *(item.render(value) for item, value in zip(self.fields, values))])
        if not self.regex.match(data) or len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"invalid callback data for {self.prefix}: {data!r}")
        return data

    def parse(self, data: str | None) -> Any:
        """Return the field values of ``data``: nothing, one value, or a tuple."""
        match = self.regex.match(data or "")
        if match is None:
            raise ValueError(f"{data!r} is not a {self.prefix} callback")
        values = tuple(item.convert(raw) for item, raw in zip(self.fields, match.groups()))
        if not values:
            return None
        return values[0] if len(values) == 1 else values

    def matches(self, data: str | None) -> bool:
        return self.regex.match(data or "") is not None


# --- Navigation and account -------------------------------------------------
MENU = Route("menu")
NOOP = Route("noop")  # the page indicator between arrows: answered, changes nothing
CANCEL = Route("cancel")  # leaves a prompt and shows the menu
CHECK_SUBSCRIPTION = Route("joined")
RULES = Route("rules")
SUPPORT = Route("support")
LANGUAGE = Route("lang")
SET_LANGUAGE = Route("lang", choice("en", "ru"))

# --- Profile ------------------------------------------------------------------
PROFILE = Route("prof")
PURCHASES = Route("purs", PAGE)
PURCHASE = Route("pur", ID, PAGE)  # the purchase, and the history page to go back to
LEDGER = Route("ops", PAGE)
REDEEM_PROMO = Route("redeem")
REFERRALS = Route("refs")
REFERRAL_LIST = Route("refl", PAGE)

# --- Top-up -------------------------------------------------------------------
TOP_UP = Route("topup")
# Handled by telegrambot/handlers/payments.py. The amount (a Decimal, cents on the wire)
# comes from the client like any callback data: check it against MIN/MAX_AMOUNT again.
TOP_UP_STARS = Route("tus", AMOUNT)
TOP_UP_CARD = Route("tuc", AMOUNT)
TOP_UP_CRYPTO = Route("tux", AMOUNT)
CHECK_CRYPTO = Route("tuxc", ID)  # "Check payment" under a CryptoPay invoice: the payment id
# Pay for goods directly in Telegram Stars, without a balance (handlers/payments.py).
PAY_STARS_PRODUCT = Route("psp", ID)  # one unit of a product
PAY_STARS_CART = Route("psc")  # everything in the cart

# --- Entry points of other features -------------------------------------------
SHOP = Route("shop")  # the catalog's first screen (categories)
CART = Route("cart")  # the cart screen
ADMIN_PANEL = Route("adm")  # the admin menu; every admin route starts with "adm"
