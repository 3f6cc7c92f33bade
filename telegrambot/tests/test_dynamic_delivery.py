"""Dynamic delivery end to end: the bot's sale, the job calling a local endpoint, recording once, telling."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from unittest import mock

import httpx
from asgiref.sync import sync_to_async
from django.utils.timezone import now

from catalog.dynamic_models import DynamicOrder
from catalog.manual_models import ManualOrder
from catalog.models import Product, Purchase
from catalog.services import purchase_product
from catalog.services.dynamic import set_dynamic_endpoint
from catalog.services.dynamic_orders import ATTEMPTS
from monitoring import metrics
from shopbot.test import make_product
from telegrambot import callbacks
from telegrambot.jobs import dynamic_delivery
from telegrambot.tests.helpers import BotTestCase
from telegrambot.tests.seller_endpoint import SellerEndpoint

SECRET = "s3cr3t-Key_0123456789"


def counted(outcome: str) -> float:
    return metrics.DYNAMIC_DELIVERIES.labels(outcome=outcome)._value.get()


class DynamicDeliveryTests(BotTestCase):
    @sync_to_async
    def make_licence(self, url: str, secret: str = SECRET) -> Product:
        product = make_product(self.games, "Licence", "4.00")
        return set_dynamic_endpoint(actor=self.owner, product_id=product.pk, url=url, secret=secret)

    @sync_to_async
    def sell(self, product: Product) -> Purchase:
        return purchase_product(telegram_id=self.alice.telegram_id, product_id=product.pk)

    async def make_due(self) -> None:
        """Let the back-off pass, as time would."""
        await DynamicOrder.objects.aupdate(next_attempt_at=now() - timedelta(seconds=1))

    async def order(self) -> DynamicOrder:
        return await DynamicOrder.objects.select_related("purchase").aget()

    def texts_to(self, shop, telegram_id: int) -> list[str]:
        return [
            call.params.get("text", "")
            for call in shop.telegram.calls_to("sendMessage")
            if call.params.get("chat_id") == telegram_id
        ]

    async def test_a_bot_sale_says_on_its_way_then_the_job_delivers_the_signed_reply_once(self):
        with SellerEndpoint(SECRET, replies=[(200, b'{"value": "KEY-<b>42</b>"}', 0.0)]) as endpoint:
            licence = await self.make_licence(endpoint.url)
            shop, alice = await self.start_chat()
            await alice.press_data(callbacks.PRODUCT.build(licence.pk, 1))
            await alice.press("💰 Buy")
            await alice.press("✅ Pay 4.00 RUB")
            self.assertIn("Your key is on its way", alice.screen.text)
            pending = await self.order()
            await alice.press_data(callbacks.PURCHASE.build(pending.purchase_id, 1))
            self.assertIn("Your key is on its way", alice.screen.text)

            bot = shop.application.bot
            self.assertEqual(await dynamic_delivery.deliver_due(bot), 1)
            self.assertEqual(await dynamic_delivery.deliver_due(bot), 0)

        order = await self.order()
        self.assertEqual((order.status, order.purchase.value), ("delivered", "KEY-<b>42</b>"))
        [seen] = endpoint.seen
        self.assertTrue(seen.verified)
        self.assertEqual(
            seen.body,
            {"order": order.purchase.order_number, "product": licence.pk, "quantity": 1, "customer_id": 1001},
        )
        self.assertEqual(seen.headers["Idempotency-Key"], order.purchase.order_number)
        self.assertRegex(seen.headers["X-Shop-Signature"], r"^t=\d+,v1=[0-9a-f]{64}$")
        told = [text for text in self.texts_to(shop, 1001) if "KEY-" in text]
        self.assertEqual(told, [told[0]])
        self.assertIn("<code>KEY-&lt;b&gt;42&lt;/b&gt;</code>", told[0])

        await alice.press_data(callbacks.PURCHASE.build(order.purchase_id, 1))  # the history shows it again
        self.assertIn("KEY-<b>42</b>", alice.screen.text)

    async def test_a_500_is_retried_with_back_off_then_the_order_waits_in_the_manual_queue(self):
        with SellerEndpoint(SECRET, replies=[(500, b"oops", 0.0)]) as endpoint:
            licence = await self.make_licence(endpoint.url)
            purchase = await self.sell(licence)
            shop, _alice = await self.start_chat()
            bot = shop.application.bot

            await dynamic_delivery.deliver_due(bot)
            order = await self.order()
            self.assertEqual((order.status, order.attempts, order.last_error), ("pending", 1, "HTTP 500"))
            self.assertGreater(order.next_attempt_at, now() + timedelta(seconds=20))
            await dynamic_delivery.deliver_due(bot)  # not due yet: no call
            self.assertEqual(len(endpoint.seen), 1)
            for _attempt in range(ATTEMPTS - 1):
                await self.make_due()
                await dynamic_delivery.deliver_due(bot)
            await self.make_due()
            await dynamic_delivery.deliver_due(bot)  # failed: never called again

        self.assertEqual(len(endpoint.seen), ATTEMPTS)
        order = await self.order()
        self.assertEqual(order.status, "failed")
        manual = await ManualOrder.objects.aget(purchase_id=purchase.pk)
        self.assertEqual(manual.status, "waiting")
        staff_texts = [
            text for text in self.texts_to(shop, self.owner.telegram_id) if "did not deliver" in text
        ]
        self.assertEqual(len(staff_texts), 1)
        self.assertIn("HTTP 500", staff_texts[0])
        self.assertFalse(any("KEY" in text for text in self.texts_to(shop, 1001)))
        delayed = [text for text in self.texts_to(shop, 1001) if "takes longer than usual" in text]
        self.assertEqual(len(delayed), 1)
        self.assertIn("Expected by", delayed[0])

    async def test_a_timeout_a_bad_signature_and_garbage_are_failed_attempts(self):
        cases = [
            ("timeout", SECRET, [(200, b'{"value": "LATE"}', 1.0)], "no answer within"),
            ("signature", "another-secret-0123456789", [(200, b'{"value": "K"}', 0.0)], "HTTP 401"),
            ("not json", SECRET, [(200, b"<html>hello</html>", 0.0)], "not JSON"),
            ("no value", SECRET, [(200, b'{"values": [1]}', 0.0)], "empty or not a string"),
            ("wrong count", SECRET, [(200, b'{"values": ["A", "B"]}', 0.0)], "list of 1"),
            ("too long", SECRET, [(200, b'{"value": "' + b"x" * 5000 + b'"}', 0.0)], "longer than"),
            ("a list", SECRET, [(200, b'["K"]', 0.0)], "not a JSON object"),
            ("huge", SECRET, [(200, b"x" * 70_000, 0.0)], "too long"),
        ]
        shop = await self.start_shop()
        for name, shop_secret, replies, error in cases:
            with self.subTest(name), SellerEndpoint(SECRET, replies=replies) as endpoint:
                await DynamicOrder.objects.all().adelete()
                licence = await self.make_licence(endpoint.url, shop_secret)
                await self.sell(licence)
                async with httpx.AsyncClient(timeout=0.3) as client:
                    delivered = await dynamic_delivery.deliver_due(shop.application.bot, client=client)

                order = await self.order()
                self.assertEqual((delivered, order.status, order.purchase.value), (0, "pending", ""))
                self.assertIn(error, order.last_error)
                self.assertNotIn(SECRET, order.last_error)
                await Purchase.objects.filter(product=licence).aupdate(product=None)
                await Product.objects.filter(pk=licence.pk).adelete()

    async def test_a_slow_reply_arriving_after_a_retry_succeeded_is_not_delivered_again(self):
        replies = [(200, b'{"value": "KEY-SLOW"}', 1.0), (200, b'{"value": "KEY-FAST"}', 0.0)]
        late_before = counted("late")
        with SellerEndpoint(SECRET, replies=replies) as endpoint:
            licence = await self.make_licence(endpoint.url)
            await self.sell(licence)
            shop, _alice = await self.start_chat()
            bot = shop.application.bot
            async with httpx.AsyncClient(timeout=5) as client:
                slow = asyncio.create_task(dynamic_delivery.deliver_due(bot, client=client))
                while not endpoint.seen:
                    await asyncio.sleep(0.02)
                # The first worker's lease runs out while it still waits: another claims the order.
                await DynamicOrder.objects.aupdate(lease_until=now() - timedelta(seconds=1))
                self.assertEqual(await dynamic_delivery.deliver_due(bot, client=client), 1)
                self.assertEqual(await slow, 0)

        order = await self.order()
        self.assertEqual((order.status, order.purchase.value), ("delivered", "KEY-FAST"))
        self.assertEqual(counted("late") - late_before, 1)
        self.assertEqual(
            [seen.headers["Idempotency-Key"] for seen in endpoint.seen], [order.purchase.order_number] * 2
        )
        texts = self.texts_to(shop, 1001)
        self.assertEqual(sum("KEY-FAST" in text for text in texts), 1)
        self.assertFalse(any("KEY-SLOW" in text for text in texts))

    async def test_a_reply_trickling_in_past_the_timeout_is_a_failed_attempt(self):
        with SellerEndpoint(
            SECRET, replies=[(200, b'{"value": "KEY-SLOWLY"}', 0.0)], trickle=0.1
        ) as endpoint:
            licence = await self.make_licence(endpoint.url)
            await self.sell(licence)
            shop = await self.start_shop()
            with mock.patch.object(dynamic_delivery, "TIMEOUT", 0.5):
                async with httpx.AsyncClient(timeout=0.3) as client:  # each byte comes well within 0.3 s
                    self.assertEqual(
                        await dynamic_delivery.deliver_due(shop.application.bot, client=client), 0
                    )

        order = await self.order()
        self.assertEqual((order.status, order.purchase.value), ("pending", ""))
        self.assertIn("no answer within 0.5 s", order.last_error)
