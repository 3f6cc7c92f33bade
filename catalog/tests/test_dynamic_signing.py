"""The signed request format the seller's endpoint checks, and the reply it may give."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from catalog import dynamic_signing
from catalog.services.dynamic_orders import DueCall, parse_reply

SECRET = "s3cr3t-Key_0123456789"
BODY = dynamic_signing.request_body(order="ABC123", product=7, quantity=1, customer_id=1001)


def test_the_body_is_compact_sorted_json_and_the_signature_is_hmac_of_timestamp_dot_body():
    assert BODY == b'{"customer_id":1001,"order":"ABC123","product":7,"quantity":1}'
    signed = dynamic_signing.sign(
        url="https://x.example/k", secret=SECRET, order="ABC123", body=BODY, timestamp=1700
    )
    expected = hmac.new(SECRET.encode(), b"1700." + BODY, hashlib.sha256).hexdigest()
    assert signed.headers["X-Shop-Signature"] == f"t=1700,v1={expected}"
    assert signed.headers["Idempotency-Key"] == "ABC123"


@pytest.mark.parametrize(
    ("header", "body", "now"),
    [
        ("t=1700,v1=00", BODY, 1700),  # a wrong signature
        (None, BODY.replace(b"1001", b"1002"), 1700),  # the body changed
        (None, BODY, 1700 + 301),  # too old: a replay
        ("v1=abc", BODY, 1700),  # no timestamp
        ("t=soon,v1=abc", BODY, 1700),
        ("", BODY, 1700),
    ],
)
def test_verify_refuses_what_an_endpoint_must_refuse(header, body, now):
    good = dynamic_signing.sign(url="u", secret=SECRET, order="ABC123", body=BODY, timestamp=1700)
    header = good.headers["X-Shop-Signature"] if header is None else header
    assert dynamic_signing.verify(SECRET, header, body, now=now) is False
    assert dynamic_signing.verify(SECRET, good.headers["X-Shop-Signature"], BODY, now=1700 + 299) is True


def test_the_secret_stays_out_of_a_due_calls_repr():
    due = DueCall(
        order_id=1, order_number="A", product_id=1, quantity=1, customer_id=1, url="u", secret=SECRET
    )
    assert SECRET not in repr(due)


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        (b'{"value": " KEY-1 "}', "KEY-1"),
        (b'{"values": ["KEY-1"]}', "KEY-1"),
        (b'{"value": "A\\u0000B"}', "AB"),
    ],
)
def test_a_reply_gives_its_values_cleaned(reply, value):
    assert parse_reply(reply, quantity=1) == value


@pytest.mark.parametrize(
    "reply", [b"", b"\xff\xfe", b"null", b'{"value": ""}', b'{"value": null}', b'{"values": "KEY"}', b"{}"]
)
def test_a_garbage_reply_is_refused(reply):
    with pytest.raises(ValueError):
        parse_reply(reply, quantity=1)
