"""Telegram's signed ``initData``: the check that a Mini App page was opened by this Telegram user.

Telegram signs the query string it hands the page: every field but ``hash``
(and the third-party ``signature``, which is signed too and stays in), sorted
by key, joined as ``key=value`` lines, HMAC-SHA256'd with the secret key
``HMAC_SHA256(key="WebAppData", msg=TOKEN)``; ``hash`` is the hex digest.
The page cannot forge it without the bot's token, so the user it names is the
user who opened the page. ``auth_date`` bounds how long a copied string works.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

# A real initData is well under 1 KB; anything much longer is not Telegram's.
MAX_LENGTH = 4096


class InitDataRefused(Exception):
    """The initData is not Telegram's signature for this bot, or no longer fresh."""


@dataclass(frozen=True)
class InitData:
    """The checked fields the shop uses."""

    user: dict[str, Any]
    auth_date: int
    hash: str
    start_param: str | None = None

    @property
    def telegram_id(self) -> int:
        return int(self.user["id"])


def secret_key(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: dict[str, str], *, token: str) -> str:
    """Return ``fields`` as an initData query string signed as Telegram signs it (tests, the simulator)."""
    digest = hmac.new(secret_key(token), data_check_string(fields).encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": digest})


def check(raw: object, *, token: str, max_age: int, now: float | None = None) -> InitData:
    """Return the checked initData, or raise ``InitDataRefused`` saying why (for the log, not the user)."""
    if not token:
        raise InitDataRefused("no TOKEN: nothing to check the signature with")
    if not isinstance(raw, str) or not raw or len(raw) > MAX_LENGTH:
        raise InitDataRefused("missing or oversized")
    pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=False)
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataRefused("a repeated field")
    received = fields.get("hash", "")
    expected = hmac.new(secret_key(token), data_check_string(fields).encode(), hashlib.sha256).hexdigest()
    # Constant time: a byte-by-byte comparison would tell a forger how much of a guess is right.
    if not hmac.compare_digest(expected.encode(), received.encode()):
        raise InitDataRefused("bad signature")
    auth_date = fields.get("auth_date", "")
    if not auth_date.isdigit():
        raise InitDataRefused("no auth_date")
    age = (time.time() if now is None else now) - int(auth_date)
    if age > max_age or age < -60:  # a minute of clock skew
        raise InitDataRefused("expired")
    try:
        user = json.loads(fields.get("user", ""))
    except ValueError:
        raise InitDataRefused("user is not JSON") from None
    if not isinstance(user, dict) or not isinstance(user.get("id"), int) or user.get("is_bot"):
        raise InitDataRefused("no user")
    return InitData(user=user, auth_date=int(auth_date), hash=received, start_param=fields.get("start_param"))
