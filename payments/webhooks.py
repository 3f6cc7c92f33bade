"""Reading CryptoPay webhook updates: the signature and the body.

CryptoPay signs the raw body with HMAC-SHA256, keyed by the SHA-256 digest of
the app token, and sends the hex digest in ``crypto-pay-api-signature``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal

from payments.services.cryptopay import InvoiceState, to_decimal

SIGNATURE_HEADER = "crypto-pay-api-signature"
INVOICE_PAID = "invoice_paid"
MAX_BODY = 64 * 1024


def sign(body: bytes, token: str) -> str:
    """Return the signature CryptoPay sends with ``body`` for an app with ``token``."""
    key = hashlib.sha256(token.encode()).digest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_is_valid(body: bytes, signature: str, token: str) -> bool:
    # A constant-time comparison: timing must not reveal how much of a guess was right.
    return bool(token) and bool(signature) and hmac.compare_digest(sign(body, token), signature)


@dataclass(frozen=True)
class WebhookUpdate:
    update_id: int
    update_type: str
    invoice: InvoiceState


def parse_update(body: bytes) -> WebhookUpdate:
    """Read a webhook body; raise ValueError for anything that is not a well-formed update."""
    if len(body) > MAX_BODY:
        raise ValueError("body too large")
    try:
        data = json.loads(body, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError("not JSON") from error
    if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
        raise ValueError("not an update")
    invoice = data["payload"]
    update_id, invoice_id = data.get("update_id"), invoice.get("invoice_id")
    if not isinstance(update_id, int) or not isinstance(invoice_id, int) or isinstance(invoice_id, bool):
        raise ValueError("missing ids")
    currency = invoice.get("fiat") if invoice.get("currency_type") == "fiat" else invoice.get("asset")
    if not isinstance(currency, str) or not isinstance(invoice.get("status"), str):
        raise ValueError("missing currency or status")
    if not isinstance(invoice.get("amount"), (str, int, Decimal)) or isinstance(invoice.get("amount"), bool):
        raise ValueError("missing amount")
    payload = invoice.get("payload")
    return WebhookUpdate(
        update_id=update_id,
        update_type=str(data.get("update_type", "")),
        invoice=InvoiceState(
            invoice_id=invoice_id,
            status=invoice["status"],
            amount=to_decimal(invoice["amount"]),
            currency=currency,
            payload=payload if isinstance(payload, str) else "",
        ),
    )
