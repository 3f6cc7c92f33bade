"""How a Mini App API view is called: the session header, the gate, the rate limit, JSON in and out, refusals.

The one place the API renders errors (as the bot's error handler does for the
chat): an ``ApiRefusal`` with its status, a ``ShopError`` as 404 (something of
the customer's that is not theirs or not there, audited) or 409 (a refusal
with its translated sentence), anything else logged and answered with a
short apology.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Customer
from accounts.services import record_audit
from shopbot.errors import (
    CategoryNotFound,
    IntentNotFound,
    NotInCart,
    PaymentNotFound,
    ProductNotFound,
    PurchaseNotFound,
    ShopError,
)
from telegrambot import ratelimit
from telegrambot.miniapp import auth, texts

logger = logging.getLogger(__name__)
BODY_MAX = 8 * 1024
NOT_FOUND = (CategoryNotFound, ProductNotFound, PurchaseNotFound, NotInCart, PaymentNotFound, IntentNotFound)
# Ids of things that belong to a customer: asking for one that is not yours is worth an audit entry.
OWNED = (PurchaseNotFound, NotInCart, PaymentNotFound, IntentNotFound)

View = Callable[..., dict[str, Any]]


def error(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, "code": code, **extra}, status=status)


def read_body(request: HttpRequest) -> dict[str, Any]:
    if request.method != "POST" or not request.body:
        return {}
    if len(request.body) > BODY_MAX:
        raise auth.ApiRefusal(413, "too_large", str(texts.UNEXPECTED))
    try:
        body = json.loads(request.body)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise auth.ApiRefusal(400, "bad_request", str(texts.UNEXPECTED))
    return body


def endpoint(
    method: str, *, limit: ratelimit.Limit | None = None
) -> Callable[[View], Callable[..., JsonResponse]]:
    """Make ``view(request, customer, body, **kwargs) -> dict`` an API view called with a session token."""

    def decorate(view: View) -> Callable[..., JsonResponse]:
        @csrf_exempt
        @never_cache
        @functools.wraps(view)
        def api_view(request: HttpRequest, **kwargs: Any) -> JsonResponse:
            if request.method != method:
                return error(405, "method", str(texts.UNEXPECTED))
            try:
                customer = auth.authenticate(request.headers.get(auth.HEADER), read=method == "GET")
                with translation.override(customer.language):
                    return answer(request, customer, view, limit, kwargs)
            except auth.ApiRefusal as refusal:
                return error(refusal.status, refusal.code, refusal.message, **refusal.extra)

        return api_view

    return decorate


def answer(
    request: HttpRequest,
    customer: Customer,
    view: View,
    limit: ratelimit.Limit | None,
    kwargs: dict[str, Any],
) -> JsonResponse:
    try:
        if limit is not None:
            check_limit(limit, customer)
        return JsonResponse(view(request, customer, read_body(request), **kwargs))
    except auth.ApiRefusal:
        raise
    except NOT_FOUND as refusal:
        if isinstance(refusal, OWNED):
            record_audit(actor=customer, action="miniapp_not_found", target=request.path[:200])
        return error(404, "not_found", str(refusal))
    except ShopError as refusal:
        return error(409, type(refusal).__name__, str(refusal))
    except Exception:
        logger.exception("Mini App call %s %s failed", request.method, request.path)
        return error(500, "unexpected", str(texts.UNEXPECTED))


def check_limit(limit: ratelimit.Limit, customer: Customer) -> None:
    """The chat's per-action limit (the same counters): a purchase here counts against the chat's too."""
    refusal = ratelimit.check_action(limit, telegram_id=customer.telegram_id)
    if refusal is not None:
        message = str(texts.TOO_MANY) % {"seconds": refusal.seconds}
        raise auth.ApiRefusal(429, "rate_limited", message, {"seconds": refusal.seconds})
