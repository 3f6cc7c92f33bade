"""The signed request a dynamic product's endpoint receives, and checking its signature.

The body is the JSON ``{"order", "product", "quantity", "customer_id"}``
(compact, keys sorted). ``X-Shop-Signature: t=<unix seconds>,v1=<hex>`` where
``<hex>`` is HMAC-SHA256, keyed by the product's secret, of
``<unix seconds>.<body>``; ``Idempotency-Key`` is the order number. Pure
functions: no database, no network (the bot's job sends the request).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

SIGNATURE_HEADER = "X-Shop-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class SignedRequest:
    url: str
    body: bytes
    headers: dict[str, str]


def request_body(*, order: str, product: int, quantity: int, customer_id: int) -> bytes:
    payload = {"order": order, "product": product, "quantity": quantity, "customer_id": customer_id}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(*, url: str, secret: str, order: str, body: bytes, timestamp: int) -> SignedRequest:
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: f"t={timestamp},v1={signature(secret, timestamp, body)}",
        IDEMPOTENCY_HEADER: order,
    }
    return SignedRequest(url=url, body=body, headers=headers)


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Check a ``X-Shop-Signature`` header as the seller's endpoint should (constant-time, timestamped)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, timestamp, body))
