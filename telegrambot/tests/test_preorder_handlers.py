"""Pre-order on a sold-out card: paying, cancelling, delivery told once, and forged presses that change nothing."""

from decimal import Decimal

from asgiref.sync import sync_to_async

from accounts.models import Customer
from catalog.models import PreOrder, Product, StockUnit
from catalog.services import add_stock
from payments.models import LedgerEntry
from telegrambot import callbacks
from telegrambot.notices import deliver_notices
from telegrambot.tests.helpers import BotTestCase

PRE_ORDER = "🕒 Pre-order for 9.99 RUB"
PAY = "✅ Pay 9.99 RUB from my balance"
CANCEL = "✖️ Cancel my pre-order"


class PreOrderHandlerTests(BotTestCase):
    async def sold_out(self, *, preorders=True):
        await StockUnit.objects.filter(product=self.key).adelete()
        await self.switch(preorders)

    async def switch(self, preorders):
        product = await Product.objects.aget(pk=self.key.pk)
        product.preorders = preorders
        await product.asave()  # as the services do: the cached card is forgotten

    async def balance(self, telegram_id=1001):
        return (await Customer.objects.aget(telegram_id=telegram_id)).balance

    async def test_it_pre_orders_a_sold_out_product_and_delivers_it_once_on_restock(self):
        await self.sold_out()
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        self.assertIn(PRE_ORDER, alice.screen.labels)
        self.assertIn("Pre-orders are open", alice.screen.text)

        await alice.press(PRE_ORDER)
        self.assertIn("Pre-order Game key", alice.screen.text)
        await alice.press(PAY)
        self.assertIn("Pre-ordered.", alice.screen.text)
        self.assertEqual(await self.balance(), Decimal("40.01"))
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        self.assertIn(CANCEL, alice.screen.labels)

        await sync_to_async(add_stock)(actor=self.owner, product_id=self.key.pk, values=["NEW-1"])
        before = len(alice.messages)
        await deliver_notices(shop.application.bot)
        await deliver_notices(shop.application.bot)

        [receipt] = alice.messages[before:]
        self.assertIn("Item: Game key\nPaid: 9.99 RUB", receipt.text)
        self.assertIn("<code>NEW-1</code>", receipt.html)
        self.assertEqual(await self.balance(), Decimal("40.01"))

    async def test_it_cancels_with_a_refund_once(self):
        await self.sold_out()
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PREORDER_PAY.build(self.key.pk, Decimal("9.99")))
        await alice.press(CANCEL)

        self.assertIn("9.99 RUB is back on your balance", alice.screen.text)
        self.assertEqual(await self.balance(), Decimal("50.00"))
        preorder = await PreOrder.objects.aget()
        await alice.press_data(callbacks.PREORDER_CANCEL.build(preorder.pk))
        self.assertEqual(alice.alert, "This pre-order was already delivered or cancelled.")
        self.assertEqual(await LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).acount(), 1)

    async def test_a_price_changed_since_the_confirmation_is_refused_and_shown_again(self):
        await self.sold_out()
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PREORDER.build(self.key.pk))
        product = await Product.objects.aget(pk=self.key.pk)
        product.price = Decimal("12.00")
        await product.asave()  # as the services do: the cached card is forgotten
        await alice.press(PAY)

        self.assertIn("has changed", alice.alert)
        self.assertIn("✅ Pay 12.00 RUB from my balance", alice.screen.labels)
        self.assertEqual(await PreOrder.objects.acount(), 0)

    async def test_a_short_balance_offers_the_top_up(self):
        await self.sold_out()
        shop, bob = await self.start_chat(1002)
        await bob.press_data(callbacks.PREORDER.build(self.key.pk))
        await bob.press(PAY)
        self.assertIn("Top up 9.99 RUB", " ".join(bob.screen.labels))
        self.assertEqual(await PreOrder.objects.acount(), 0)

    async def test_no_pre_order_button_in_stock_or_when_off_and_forged_presses_change_nothing(self):
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        self.assertNotIn(PRE_ORDER, alice.screen.labels)
        await alice.press_data(callbacks.PREORDER_PAY.build(self.key.pk, Decimal("9.99")))  # in stock
        self.assertIn("cannot be pre-ordered now", alice.alert)
        await self.sold_out(preorders=False)
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        self.assertNotIn(PRE_ORDER, alice.screen.labels)
        await alice.press_data(callbacks.PREORDER.build(self.key.pk))
        self.assertIn("cannot be pre-ordered now", alice.alert)

        await self.switch(True)
        for forged in (
            callbacks.PREORDER.build(999999),
            callbacks.PREORDER_PAY.build(999999, Decimal("9.99")),
            callbacks.PREORDER_PAY.build(self.gift.pk, Decimal("5.00")),
            "preop:<b>:999",
            "preop:1:-5",
            "preo:" + "9" * 5000,
            "preoc:abc",
        ):
            await alice.press_data(forged, strict=False)
        self.assertEqual(await PreOrder.objects.acount(), 0)
        self.assertEqual(await self.balance(), Decimal("50.00"))

    async def test_another_customers_pre_order_cannot_be_cancelled(self):
        await self.sold_out()
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PREORDER_PAY.build(self.key.pk, Decimal("9.99")))
        preorder = await PreOrder.objects.aget()
        carol = await shop.user(1003)
        await carol.send("/start")

        await carol.press_data(callbacks.PREORDER_CANCEL.build(preorder.pk))

        self.assertEqual(carol.alert, "This pre-order is not yours or does not exist.")
        await preorder.arefresh_from_db()
        self.assertTrue(preorder.is_open)
        self.assertEqual(await self.balance(), Decimal("40.01"))
