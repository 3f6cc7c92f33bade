"""Delivered values too long for one message, on every path, and receipts that Telegram did not take."""

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.test import override_settings

from catalog.models import Purchase
from catalog.services import add_to_cart, purchase_product
from payments.models import PaymentNotice
from shopbot.test import make_product
from telegrambot import callbacks
from telegrambot.notices import deliver_notices
from telegrambot.tests.test_payments import PAYMENT_METHODS, PaymentsBotTestCase

# With its last digit 4,000 characters (the most a unit holds), 4,100 as Telegram counts them.
LONG_KEY = "🔑" * 100 + "K" * 3896 + "<&>"


def documents(user) -> list:
    return [message for message in user.messages if message.kind == "document"]


@sync_to_async
def notices_sent() -> list[bool]:
    return [notice.sent_at is not None for notice in PaymentNotice.objects.order_by("id")]


@PAYMENT_METHODS
class LongValueTests(PaymentsBotTestCase):
    async def long_product(self, name: str = "Long key", units: int = 1):
        return await sync_to_async(make_product)(
            self.games, name, "1.00", units=[LONG_KEY + str(n) for n in range(units)]
        )

    async def test_it_delivers_a_stars_order_with_a_4000_character_key_as_a_file(self):
        product = await self.long_product()
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.PAY_STARS_PRODUCT.build(product.pk))

        await self.pay(bob, self.invoice(bob))

        receipt, document = bob.messages[-2:]
        self.assertIn("Paid with Telegram Stars", receipt.text)
        self.assertIn("sent as a file", receipt.text)
        self.assertEqual(document.media["content"].decode(), LONG_KEY + "0")
        self.assertEqual(await notices_sent(), [True])

    async def test_it_delivers_a_stars_cart_of_long_keys_as_one_file(self):
        product = await self.long_product(units=3)
        await sync_to_async(add_to_cart)(telegram_id=self.bob.telegram_id, product_id=product.pk, quantity=3)
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.PAY_STARS_CART.build())

        await self.pay(bob, self.invoice(bob))

        [document] = documents(bob)
        content = document.media["content"].decode()
        async for purchase in Purchase.objects.all():
            self.assertIn(f"#{purchase.order_number}", bob.messages[-2].text)
            self.assertIn(purchase.value, content)

    async def test_it_keeps_a_short_key_in_the_message(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.PAY_STARS_PRODUCT.build(self.key.pk))

        await self.pay(bob, self.invoice(bob))

        self.assertIn("<code>AAA-111</code>", bob.screen.html)
        self.assertEqual(documents(bob), [])

    async def test_it_keeps_a_receipt_telegram_did_not_take_and_sends_it_later_once(self):
        product = await self.long_product()
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.PAY_STARS_PRODUCT.build(product.pk))
        shop.telegram.fail_next("sendMessage")

        with bob.allowing_rejections():
            await self.pay(bob, self.invoice(bob))

        self.assertEqual(documents(bob), [])
        self.assertEqual(await notices_sent(), [False])
        await deliver_notices(shop.application.bot)
        self.assertEqual(documents(bob), [])  # still held by the first claim
        await PaymentNotice.objects.aupdate(claimed_until=None)  # as when the claim runs out

        await deliver_notices(shop.application.bot)
        await PaymentNotice.objects.aupdate(claimed_until=None)
        await deliver_notices(shop.application.bot)

        self.assertEqual(len(documents(bob)), 1)
        self.assertEqual(await notices_sent(), [True])

    async def test_it_re_sends_a_long_value_from_the_purchase_history_and_the_admin_order_look_up(self):
        product = await self.long_product()
        purchase = await sync_to_async(purchase_product)(
            telegram_id=self.alice.telegram_id, product_id=product.pk
        )
        shop, alice = await self.start_chat(self.alice.telegram_id)
        await alice.press_data(callbacks.PURCHASE.build(purchase.pk, 1))
        self.assertIn("sent as a file", alice.messages[-2].text)
        self.assertEqual(alice.messages[-1].media["content"].decode(), LONG_KEY + "0")

        adam = await shop.user(self.admin.telegram_id)
        await adam.send("/start")
        await adam.press_data(callbacks.ADMIN_ORDER_LOOKUP.build())
        await adam.send(purchase.order_number)

        self.assertIn(f"Order #{purchase.order_number}", adam.messages[-2].text)
        self.assertEqual(adam.messages[-1].media["content"].decode(), LONG_KEY + "0")


class FakeDocumentTests(PaymentsBotTestCase):
    @override_settings(STARS_PER_VALUE=Decimal("0"))
    async def test_the_fake_refuses_an_empty_upload(self):
        shop, alice = await self.start_chat()
        status, body = shop.telegram.handle(
            "sendDocument", {"chat_id": 1001, "document": {"filename": "a.txt", "content": b""}}
        )
        self.assertEqual((status, body["description"]), (400, "Bad Request: file must be non-empty"))
