"""Dynamic delivery's job: fetch each due order's value(s) from the seller's endpoint, then tell.

Runs on one worker at a time (``locks.run_exclusively``). It claims due
orders in one short transaction (``catalog.services.dynamic_orders``), calls
every endpoint on the event loop with httpx (no transaction open, no ORM on
the loop: the adapter's thread does the reads and writes), and records each
outcome in its own transaction. The request is signed
(``catalog.dynamic_signing``) and carries the order number as its
idempotency key, so an endpoint asked twice for one order answers the same
key, and the shop records a delivery once whatever arrives later.

Secrets and reply bodies are never logged: a failure keeps a short reason.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.utils import translation
from telegram.error import Forbidden, TelegramError

from accounts.services import mark_bot_blocked
from catalog import dynamic_signing
from catalog.dynamic_models import DynamicOrder
from catalog.services import dynamic_orders as services
from catalog.services.dynamic import clean_endpoint_url
from catalog.services.manual import fulfil_staff
from monitoring import metrics
from shopbot.errors import ShopError
from telegrambot import delivery
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.keyboards import admin_fulfil as keyboards
from telegrambot.texts import dynamic_delivery as texts

logger = logging.getLogger(__name__)

EVERY = 10.0  # seconds between looks at the due orders
TIMEOUT = 10.0  # seconds the endpoint has to answer
REPLY_MAX = 64 * 1024  # bytes read from a reply at most


class EndpointFailed(Exception):
    """The endpoint did not give a usable value; the text is a short reason, safe to store."""


def signed_request(due: services.DueCall, *, timestamp: int) -> dynamic_signing.SignedRequest:
    body = dynamic_signing.request_body(
        order=due.order_number, product=due.product_id, quantity=due.quantity, customer_id=due.customer_id
    )
    return dynamic_signing.sign(
        url=due.url, secret=due.secret, order=due.order_number, body=body, timestamp=timestamp
    )


async def fetch(client: httpx.AsyncClient, due: services.DueCall) -> str:
    """POST the signed request and return the value(s) the endpoint answered, or raise ``EndpointFailed``."""
    try:
        clean_endpoint_url(due.url)  # the rule may have tightened since it was set (DEBUG off)
    except ShopError:
        raise EndpointFailed("the endpoint address is not allowed") from None
    request = signed_request(due, timestamp=int(time.time()))
    try:
        # httpx's timeout is per read; the whole call (a reply trickling in too) gets TIMEOUT as well.
        async with asyncio.timeout(TIMEOUT):
            body = await post(client, request)
    except (httpx.TimeoutException, TimeoutError):
        raise EndpointFailed(f"no answer within {TIMEOUT:g} s") from None
    except httpx.HTTPError as error:
        raise EndpointFailed(f"connection failed ({type(error).__name__})") from None
    try:
        return services.parse_reply(body, quantity=due.quantity)
    except ValueError as error:
        raise EndpointFailed(str(error)) from None


async def post(client: httpx.AsyncClient, request: dynamic_signing.SignedRequest) -> bytes:
    async with client.stream("POST", request.url, content=request.body, headers=request.headers) as reply:
        if reply.status_code != 200:
            raise EndpointFailed(f"HTTP {reply.status_code}")
        body = b""
        async for chunk in reply.aiter_bytes():
            body += chunk
            if len(body) > REPLY_MAX:
                raise EndpointFailed("the reply is too long")
        return body


async def attempt(client: httpx.AsyncClient, due: services.DueCall) -> bool:
    """Make one attempt for one order and record it; return whether it delivered."""
    try:
        value = await fetch(client, due)
    except EndpointFailed as error:
        host = urlsplit(due.url).hostname
        logger.warning("order %s: %s answered no value: %s", due.order_number, host, error)
        order = await call(services.record_failure, order_id=due.order_id, error=str(error))
        outcome = (
            "late" if order is None else "failed" if order.status == DynamicOrder.Status.FAILED else "retry"
        )
        metrics.DYNAMIC_DELIVERIES.labels(outcome=outcome).inc()
        return False
    delivered = await call(services.record_delivery, order_number=due.order_number, value=value)
    metrics.DYNAMIC_DELIVERIES.labels(outcome="delivered" if delivered else "late").inc()
    return delivered


async def deliver_due(bot: Any, *, client: httpx.AsyncClient | None = None) -> int:
    """Attempt every due order, then send what is owed; return how many were delivered."""
    calls = await call(services.claim_due_orders)
    delivered = 0
    if calls:
        own = client is None
        client = client or httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
        try:
            delivered = sum(await asyncio.gather(*(attempt(client, due) for due in calls)))
        finally:
            if own:
                await client.aclose()
    await tell_customers(bot)
    await tell_staff(bot)
    return delivered


async def tell_customers(bot: Any) -> int:
    """Send each settled order's customer the value (or the delay); marked told once Telegram took it."""
    return await delivery.tell_each(
        await call(services.to_tell_customers),
        lambda order: tell(bot, order),
        lambda order: services.mark_customer_told(order_id=order.pk),
    )


async def tell(bot: Any, order: DynamicOrder) -> bool:
    telegram_id = order.customer.telegram_id
    with translation.override(order.customer.language or None):
        if order.status == DynamicOrder.Status.DELIVERED:
            full, short = texts.delivered(order), texts.delivered(order, with_value=False)
            receipt = delivery.receipt([order.purchase], full=full, short=short)
        else:
            receipt = delivery.Receipt(texts.delayed(order))
    try:
        await delivery.send(bot, telegram_id, receipt)
    except Forbidden:
        await call(mark_bot_blocked, telegram_id=telegram_id)  # the key stays in their history
    except TelegramError as error:
        logger.warning("order %s: the customer was not told: %s", order.purchase.order_number, error)
        return False
    return True


async def tell_staff(bot: Any) -> int:
    """Tell everyone who fulfils orders of each order moved to the manual queue, once."""
    failed = await call(services.failed_to_tell)
    if not failed:
        return 0
    staff = await call(fulfil_staff)
    for order in failed:
        manual = getattr(order.purchase, "manual_order", None)
        markup = keyboards.overdue(manual.pk) if manual is not None else None
        for telegram_id in staff:
            try:
                await bot.send_message(telegram_id, texts.failed(order), reply_markup=markup)
            except TelegramError as error:
                logger.warning(
                    "order %s: staff %s not told: %s", order.purchase.order_number, telegram_id, error
                )
    await call(services.mark_staff_told, order_ids=[order.pk for order in failed])
    return len(failed)


async def deliver_job(context: ShopContext) -> None:
    """Fetches the values of due dynamic orders from the sellers' endpoints."""
    await deliver_due(context.bot)
