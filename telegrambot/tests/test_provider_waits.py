"""A provider that is slow to answer holds up only the person who asked: no network call on the ORM thread."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from payments.models import Payment
from telegrambot.tests.test_admin_payments import PaymentsAdminTestCase

MOST_TURNS = 1000  # event-loop turns to wait for the refund to reach Telegram before giving up


class SlowStarsRefundTests(PaymentsAdminTestCase):
    async def until_refund_asked(self) -> None:
        for _turn in range(MOST_TURNS):
            if self.telegram.waiting:
                return
            await asyncio.sleep(0.01)
        self.fail("the refund never reached Telegram")

    async def test_it_answers_another_customer_while_telegram_holds_a_refund(self) -> None:
        payment = await self.paid()
        adam, _bob = await self.chats()
        alice = await adam.shop.user(self.alice.telegram_id, username="alice")
        await alice.send("/start")
        await self.find(adam, f"#{payment.pk}")
        await adam.press("↩️ Refund the Stars")
        await adam.send("Asked for it")
        # Telegram takes up to 5 s to answer this refund.
        released = self.telegram.hold("refundStarPayment")

        refund = asyncio.create_task(adam.press("✅ Yes, refund"))
        await self.until_refund_asked()
        await alice.press("👤 Profile")

        self.assertIn("50.00 RUB", alice.screen.text)
        self.assertEqual(self.refund_calls(), 0)  # Alice was answered while the refund still waited
        self.assertEqual(await self.state(payment), (Payment.Status.REFUNDING, Decimal("0.00")))
        released.set()
        await refund
        self.assertEqual(self.refund_calls(), 1)
        self.assertEqual(await self.state(payment), (Payment.Status.REFUNDED, Decimal("0.00")))
        self.assertIn("✅ Refunded.", adam.screen.text)
