"""The Telegram webhook in the web process: the secret token, repeats, bad bodies, and the stream."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from telegrambot import stream, webhook

SECRET = "webhook-secret-0123456789"
URL = "/telegram/webhook/"
pytestmark = pytest.mark.skipif(not webhook.uses_redis(), reason="webhook mode hands updates over in Redis")


@pytest.fixture(autouse=True)
def webhook_settings(settings: Any) -> None:
    settings.WEBHOOK_SECRET = SECRET
    # cache.clear() (conftest) empties the stream and the seen and per-customer keys.


def streamed() -> list[dict[str, Any]]:
    """Return the updates in the stream, oldest first."""
    return [json.loads(fields[b"update"]) for _id, fields in stream.redis().xrange(stream.stream_key())]


def post(body: Any, *, secret: str | None = SECRET, address: str = "149.154.167.1", **headers: str) -> Any:
    if secret is not None:
        headers["HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"] = secret
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return Client().post(URL, data=data, content_type="application/json", REMOTE_ADDR=address, **headers)


def update(update_id: int = 1) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}},
    }


def test_it_queues_an_update_with_the_right_secret() -> None:
    response = post(update(7))

    assert response.status_code == 200
    assert streamed() == [update(7)]


def test_it_notes_the_update_under_its_sender_for_the_workers_order() -> None:
    pressed = {
        **update(8),
        "message": {**update(8)["message"], "from": {"id": 5, "is_bot": False, "first_name": "A"}},
    }

    assert post(pressed).status_code == 200

    assert stream.redis().zrange(stream.customer_queue_key(5), 0, -1) == [b"8"]
    assert stream.redis().ttl(stream.customer_queue_key(5)) > 0


def test_it_keeps_the_stream_near_its_maxlen(settings: Any) -> None:
    settings.WEBHOOK_STREAM_MAXLEN = 100
    for update_id in range(1, 1001):
        assert stream.enqueue_update(update(update_id))

    # MAXLEN ~ trims whole nodes of the stream (100 entries each by default): about, never under.
    assert 100 <= stream.queued_updates() <= 300
    assert streamed()[-1] == update(1000)


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET[:-1], SECRET + "x"])
def test_it_refuses_a_missing_or_wrong_secret(secret: str | None) -> None:
    response = post(update(), secret=secret)

    assert response.status_code == 403
    assert stream.queued_updates() == 0


def test_it_queues_a_redelivered_update_once() -> None:
    assert post(update(9)).status_code == 200
    assert post(update(9)).status_code == 200

    assert stream.queued_updates() == 1


@pytest.mark.parametrize(
    "body", ["not json", "[]", json.dumps({"message": {}}), json.dumps({"update_id": "x"})]
)
def test_it_refuses_a_malformed_body(body: str) -> None:
    assert post(body).status_code == 400
    assert stream.queued_updates() == 0


def test_it_accepts_only_post() -> None:
    assert Client().get(URL, HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET).status_code == 405


@override_settings(WEBHOOK_SECRET="")
def test_it_is_not_there_without_a_secret() -> None:
    assert post(update(), secret="").status_code == 404


def test_it_never_limits_posts_with_the_right_secret(settings: Any) -> None:
    settings.WEBHOOK_RATE_LIMIT = "2/m"

    assert [post(update(n)).status_code for n in (1, 2, 3, 4)] == [200, 200, 200, 200]
    assert stream.queued_updates() == 4


def test_it_limits_only_failures_per_address(settings: Any) -> None:
    settings.WEBHOOK_RATE_LIMIT = "2/m"
    refused = [post(update(n), secret="wrong").status_code for n in (1, 2, 3)]

    assert refused == [403, 403, 429]
    assert post(update(4), secret="wrong", address="149.154.167.2").status_code == 403
    # Telegram's own post from the same (proxy) address still gets through.
    assert post(update(5)).status_code == 200
    assert stream.queued_updates() == 1


def test_it_ignores_a_forged_forwarded_address_by_default(settings: Any) -> None:
    settings.WEBHOOK_RATE_LIMIT = "1/m"
    codes = [post(update(n), secret="wrong", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}").status_code for n in (1, 2)]

    assert codes == [403, 429]


def test_it_limits_the_client_behind_a_trusted_proxy(settings: Any) -> None:
    settings.WEBHOOK_RATE_LIMIT = "1/m"
    settings.TRUSTED_PROXIES = 1

    def junk(client: str, n: int) -> int:
        # The client may prepend anything; the proxy appends the address it saw.
        return post(
            update(n), secret="wrong", address="127.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, {client}"
        ).status_code

    assert [junk("203.0.113.5", 1), junk("203.0.113.5", 2)] == [403, 429]
    assert junk("203.0.113.6", 3) == 403


def test_it_limits_failed_cryptopay_posts_per_address(settings: Any) -> None:
    settings.CRYPTO_PAY_TOKEN = "123:crypto"
    settings.CRYPTOPAY_WEBHOOK_RATE_LIMIT = "1/m"
    client = Client(REMOTE_ADDR="10.0.0.9")
    codes = [
        client.post("/payments/cryptopay/webhook/", data="{}", content_type="application/json").status_code
        for _ in range(2)
    ]

    assert codes == [401, 429]
