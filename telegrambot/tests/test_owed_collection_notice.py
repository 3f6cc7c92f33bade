"""A top-up that pays back what the customer owed says so, through the real bot and the fake Bot API."""

from decimal import Decimal

from django.utils.timezone import now

from payments.models import Payment
from telegrambot.tests.test_payments import PAYMENT_METHODS, PaymentsBotTestCase, balance_of


@PAYMENT_METHODS
class OwedCollectionNoticeTests(PaymentsBotTestCase):
    async def test_the_top_up_message_shows_the_balance_after_the_owed_amount_was_collected(self):
        owed = await Payment.objects.acreate(
            provider=Payment.Provider.STARS,
            purpose=Payment.Purpose.TOP_UP,
            customer=self.bob,
            amount=Decimal("5.00"),
            provider_amount=Decimal("8"),
            provider_currency="XTR",
            status=Payment.Status.REFUNDED,
            refunded_at=now(),
            refund_owed=Decimal("5.00"),
            expires_at=now(),
        )
        _shop, bob = await self.start_chat(self.bob.telegram_id)
        await self.choose_amount(bob, "10.01")

        await bob.press("⭐ Telegram Stars · 16 ⭐")
        await self.pay(bob, self.invoice(bob))

        self.assertEqual(await balance_of(self.bob), Decimal("5.01"))
        self.assertIn("topped up by 10.01 RUB. Balance: 5.01 RUB.", bob.screen.text)
        self.assertIn("5.00 RUB of it paid what you owed the shop since an earlier refund.", bob.screen.text)
        await owed.arefresh_from_db()
        self.assertEqual(owed.refund_collected, Decimal("5.00"))
