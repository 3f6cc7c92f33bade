"""A purchase in the Mini App gets the chat's receipt too, once, through the notice outbox."""

from __future__ import annotations

from asgiref.sync import sync_to_async

from catalog.services import add_to_cart, purchase_product, quote_product
from payments.models import PaymentNotice
from shopbot.errors import InsufficientFunds
from telegrambot import callbacks
from telegrambot.miniapp.tests.test_faces import FacesTestCase
from telegrambot.notices import deliver_notices


@sync_to_async
def notices() -> list[tuple[str, bool]]:
    return [(notice.kind, notice.sent_at is not None) for notice in PaymentNotice.objects.order_by("id")]


class ChatReceiptTests(FacesTestCase):
    async def buy_in_the_app(self, telegram_id: int) -> dict:
        app = await self.app(telegram_id)
        quote = (await self.call(app, "POST", "buy/quote", {"product_id": self.key.pk})).json()["quote"]
        response = await self.call(app, "POST", "buy", {"intent_id": quote["intent_id"]})
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    async def test_it_sends_the_chat_the_receipt_of_a_unit_bought_in_the_app(self):
        shop = await self.start_shop(self.telegram)
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")
        before = len(alice.messages)

        await self.buy_in_the_app(self.alice.telegram_id)
        await deliver_notices(shop.application.bot)
        await deliver_notices(shop.application.bot)

        [receipt] = alice.messages[before:]
        self.assertIn("Thank you for your purchase!", receipt.text)
        self.assertIn("Item: Game key\nPaid: 9.99 RUB", receipt.text)
        self.assertIn("<code>AAA-111</code>", receipt.html)
        self.assertEqual(await notices(), [("purchase_receipt", True)])

    async def test_it_sends_a_cart_checked_out_in_the_app_once_when_telegram_fails_first(self):
        await sync_to_async(add_to_cart)(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk, quantity=2
        )
        shop = await self.start_shop(self.telegram)
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")
        before = len(alice.messages)
        app = await self.app(self.alice.telegram_id)
        intent_id = (await self.call(app, "POST", "cart/quote")).json()["intent_id"]
        response = await self.call(app, "POST", "cart/checkout", {"intent_id": intent_id})
        self.assertEqual(response.status_code, 200, response.content)
        self.telegram.fail_next("sendMessage")

        with alice.allowing_rejections():
            await deliver_notices(shop.application.bot)
        self.assertEqual((alice.messages[before:], await notices()), ([], [("purchase_receipt", False)]))
        await PaymentNotice.objects.aupdate(claimed_until=None)  # as when the claim runs out
        await deliver_notices(shop.application.bot)
        await PaymentNotice.objects.aupdate(claimed_until=None)
        await deliver_notices(shop.application.bot)

        [receipt] = alice.messages[before:]
        self.assertIn("Paid 19.98 RUB.", receipt.text)
        self.assertIn("<code>AAA-111</code>", receipt.html)
        self.assertIn("<code>BBB-222</code>", receipt.html)
        self.assertEqual(await notices(), [("purchase_receipt", True)])

    async def test_it_owes_no_second_receipt_for_a_purchase_in_the_chat(self):
        shop = await self.start_shop(self.telegram)
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await alice.press("💰 Buy")
        await alice.press("✅ Pay 9.99 RUB")
        shown = len(alice.messages)

        await deliver_notices(shop.application.bot)

        self.assertIn("AAA-111", alice.screen.text)
        self.assertEqual(len(alice.messages), shown)
        self.assertEqual(await notices(), [])

    async def test_it_owes_nothing_when_the_sale_is_refused(self):
        intent = await sync_to_async(quote_product)(telegram_id=self.bob.telegram_id, product_id=self.key.pk)

        with self.assertRaises(InsufficientFunds):
            await sync_to_async(purchase_product)(
                telegram_id=self.bob.telegram_id, intent_id=intent.intent_id, receipt_in_chat=True
            )

        self.assertEqual(await notices(), [])
