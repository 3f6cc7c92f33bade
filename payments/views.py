"""HTTP endpoints of payments: the CryptoPay webhook.

Configure ``https://<your host>/payments/cryptopay/webhook/`` as the webhook
URL of the CryptoPay app (in @CryptoBot: Crypto Pay → My Apps → Webhooks).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from monitoring.metrics import RATE_LIMITED
from payments.services.cryptopay import credit_crypto_invoice
from payments.webhooks import INVOICE_PAID, SIGNATURE_HEADER, parse_update, signature_is_valid
from shopbot.errors import ShopError
from shopbot.security import client_address, too_many_failures

log = logging.getLogger("shopbot.payments")


@csrf_exempt
@require_POST
def cryptopay_webhook(request: HttpRequest) -> HttpResponse:
    """Credit the invoice a correctly signed ``invoice_paid`` update reports.

    A missing or wrong signature gets 401 (429 once one address has sent too
    many), a malformed body 400, an unknown invoice 404, all changing nothing.
    A repeated update gets 200 and changes nothing, so CryptoPay stops retrying
    it. The signature is checked first and only failures are limited: behind a
    proxy every sender has the proxy's address, and junk must not lock
    CryptoPay out.
    """
    if not settings.CRYPTO_PAY_TOKEN:
        return HttpResponse(status=404)
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not signature_is_valid(request.body, signature, settings.CRYPTO_PAY_TOKEN):
        if too_many_failures(request, group="cryptopay-webhook", rate=settings.CRYPTOPAY_WEBHOOK_RATE_LIMIT):
            RATE_LIMITED.labels(scope="cryptopay_webhook").inc()
            return HttpResponse(status=429)
        log.warning("CryptoPay webhook with a bad signature from %s", client_address(request))
        return HttpResponse("bad signature", status=401, content_type="text/plain")
    try:
        update = parse_update(request.body)
    except ValueError as error:
        return HttpResponse(f"malformed update: {error}", status=400, content_type="text/plain")
    if update.update_type != INVOICE_PAID:
        return HttpResponse("ignored", content_type="text/plain")
    invoice = update.invoice
    try:
        credit_crypto_invoice(
            invoice_id=invoice.invoice_id,
            status=invoice.status,
            amount=invoice.amount,
            currency=invoice.currency,
            payload=invoice.payload,
        )
    except ShopError as error:
        log.warning("CryptoPay webhook for invoice %s refused: %s", invoice.invoice_id, error)
        return HttpResponse("unknown invoice", status=404, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
