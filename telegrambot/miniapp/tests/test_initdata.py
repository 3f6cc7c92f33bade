"""Telegram's initData signature: what passes and what is refused."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl, urlencode

import pytest

from telegrambot.miniapp import initdata
from telegrambot.miniapp.tests.helpers import signed_init_data
from telegrambot.testing.driver import TOKEN

NOW = 1_800_000_000


def check(raw: str, **options: object) -> initdata.InitData:
    return initdata.check(raw, token=TOKEN, max_age=3600, now=options.pop("now", NOW), **options)  # type: ignore[arg-type]


def fields_of(raw: str) -> dict[str, str]:
    return dict(parse_qsl(raw))


def test_it_accepts_what_telegram_signed():
    init = check(signed_init_data(1001, auth_date=NOW - 10, username="alice"))

    assert init.telegram_id == 1001
    assert init.user["username"] == "alice"
    assert init.auth_date == NOW - 10


def test_it_matches_the_documented_construction():
    """secret = HMAC_SHA256(key="WebAppData", msg=token); hash = HMAC_SHA256(secret, sorted key=value lines)."""
    import hashlib
    import hmac

    fields = {"auth_date": str(NOW), "query_id": "Q", "user": json.dumps({"id": 7})}
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    check_string = f"auth_date={NOW}\nquery_id=Q\nuser={fields['user']}"
    digest = hmac.new(secret, check_string.encode(), hashlib.sha256).hexdigest()

    assert check(urlencode({**fields, "hash": digest})).telegram_id == 7


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.update(user=f["user"].replace("1001", "1002")),  # another user
        lambda f: f.update(auth_date=str(int(f["auth_date"]) + 1)),  # a fresher date
        lambda f: f.update(hash=f["hash"][:-1] + ("0" if f["hash"][-1] != "0" else "1")),
        lambda f: f.pop("hash"),
        lambda f: f.update(extra="1"),
    ],
)
def test_it_refuses_tampered_data(change):
    fields = fields_of(signed_init_data(1001, auth_date=NOW))
    change(fields)

    with pytest.raises(initdata.InitDataRefused, match="bad signature"):
        check(urlencode(fields))


def test_it_refuses_another_bots_signature():
    with pytest.raises(initdata.InitDataRefused, match="bad signature"):
        check(signed_init_data(1001, auth_date=NOW, token="999:OTHER-BOT"))


def test_it_refuses_data_older_than_the_limit():
    raw = signed_init_data(1001, auth_date=NOW - 3601)

    with pytest.raises(initdata.InitDataRefused, match="expired"):
        check(raw)
    assert check(raw, now=NOW - 10).telegram_id == 1001


def test_it_refuses_data_from_the_future():
    with pytest.raises(initdata.InitDataRefused, match="expired"):
        check(signed_init_data(1001, auth_date=NOW + 3600))


@pytest.mark.parametrize("raw", ["", "x" * 5000, "hash=abc", None, 12, "user=%7B&hash=&hash="])
def test_it_refuses_junk(raw):
    with pytest.raises(initdata.InitDataRefused):
        check(raw)


def test_it_refuses_without_a_token():
    with pytest.raises(initdata.InitDataRefused, match="no TOKEN"):
        initdata.check(signed_init_data(1001), token="", max_age=3600)


def test_it_refuses_a_signed_user_that_is_not_a_person():
    fields = {"auth_date": str(int(time.time())), "user": json.dumps({"id": "1001"})}

    with pytest.raises(initdata.InitDataRefused, match="no user"):
        initdata.check(initdata.sign(fields, token=TOKEN), token=TOKEN, max_age=3600)
