"""Stars refunds from the web process reach the Bot API over real HTTP (the fake Bot API's server)."""

from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from accounts.roles import ensure_builtin_roles
from payments.admin.refunds import refund_stars
from payments.models import Payment
from payments.services import start_top_up
from payments.tests.helpers import pay_telegram
from shopbot.errors import RefundRefused
from shopbot.test import OWNER_ID, is_postgresql, ledger_matches_balance, make_customer
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.server import FakeTelegramServer


@pytest.mark.django_db(transaction=True)
async def test_it_refunds_stars_through_the_bot_api_and_refuses_a_second_refund(settings):
    if not is_postgresql():
        pytest.skip("the refund runs in a worker thread, which needs a server database")
    telegram = FakeTelegram()
    server = FakeTelegramServer(telegram)
    settings.TELEGRAM_API_URL = await server.start()
    settings.TOKEN = "123456:TEST-TOKEN"
    settings.STARS_PER_VALUE = Decimal("1")

    def scenario() -> list[object]:
        # Runs in a worker thread, as a web request does: the view asks Telegram through async_to_sync.
        try:
            ensure_builtin_roles()
            owner = make_customer(OWNER_ID)
            buyer = make_customer(6001)
            payment = start_top_up(
                telegram_id=buyer.telegram_id, provider=Payment.Provider.STARS, amount="15"
            )
            pay_telegram(payment, charge_id="stars-charge-1")
            telegram.charges["stars-charge-1"] = {"user_id": buyer.telegram_id, "refunded": False}

            refunded = refund_stars(actor=owner, payment_id=payment.pk, reason="Asked for it")
            try:
                refund_stars(actor=owner, payment_id=payment.pk, reason="Again")
                second: object = "refunded twice"
            except RefundRefused as error:
                second = str(error)
            return [
                refunded.status,
                telegram.charges["stars-charge-1"]["refunded"],
                second,
                ledger_matches_balance(buyer),
                buyer.balance,
            ]
        finally:
            connection.close()

    try:
        status, refunded_in_telegram, second, ledger_ok, balance = await sync_to_async(
            scenario, thread_sensitive=False
        )()
    finally:
        await server.stop()

    assert status == Payment.Status.REFUNDED
    assert refunded_in_telegram is True
    assert second == "This payment cannot be refunded: it has already been refunded."
    assert ledger_ok and balance == Decimal("0")
    assert [call.method for call in telegram.calls_to("refundStarPayment")] == ["refundStarPayment"]
