"""Files sold as goods, on every rail: balance, cart of mixed kinds, Stars order; and again from the history."""

import tempfile
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.core.files.base import ContentFile
from django.test import override_settings

from accounts.models import Customer
from catalog.models import DeliveryFile, Product, Purchase
from catalog.services import add_to_cart
from catalog.services.delivery_files import FileSpec, add_file_stock, set_shared_file
from payments.models import LedgerEntry
from shopbot.test import ledger_matches_balance, make_product
from telegrambot import callbacks
from telegrambot.tests.test_payments import PAYMENT_METHODS, PaymentsBotTestCase

Kind = Product.DeliveryKind


def sent_documents(user) -> list:
    """The documents the bot sent: a file id (a str) or an upload ({"filename", "content"})."""
    return [message.media for message in user.messages if message.kind == "document"]


class FileGoods:
    @sync_to_async
    def make_file_goods(self):
        self.ebook = make_product(self.games, "E-book", "3.00", delivery=Kind.FILE)
        add_file_stock(
            actor=self.owner,
            product_id=self.ebook.pk,
            files=[FileSpec("a.pdf", 100, file_id="TG-A"), FileSpec("b.pdf", 100, file_id="TG-B")],
        )
        self.config = make_product(self.games, "Config", "2.00", is_unlimited=True, delivery=Kind.SHARED_FILE)
        set_shared_file(
            actor=self.owner, product_id=self.config.pk, file=FileSpec("vpn.conf", 10, file_id="TG-C")
        )

    @sync_to_async
    def money_is_right(self, customer, balance: str):
        customer = Customer.objects.get(pk=customer.pk)
        self.assertEqual(customer.balance, Decimal(balance))
        self.assertTrue(ledger_matches_balance(customer))


@PAYMENT_METHODS
class FileDeliveryTests(PaymentsBotTestCase, FileGoods):
    async def buy(self, user, product, pay_label):
        await user.press_data(callbacks.PRODUCT.build(product.pk, 1))
        await user.press("💰 Buy")
        await user.press(pay_label)

    async def test_a_balance_purchase_sends_the_file_unit_and_the_shared_file_once(self):
        await self.make_file_goods()
        shop, alice = await self.start_chat()

        await self.buy(alice, self.ebook, "✅ Pay 3.00 RUB")
        await self.buy(alice, self.config, "✅ Pay 2.00 RUB")

        self.assertEqual(sent_documents(alice), ["TG-A", "TG-C"])
        self.assertEqual(await Purchase.objects.filter(file__isnull=False).acount(), 2)
        self.assertEqual(await LedgerEntry.objects.filter(customer=self.alice, kind="purchase").acount(), 2)
        await self.money_is_right(self.alice, "45.00")

    async def test_a_cart_of_mixed_kinds_sends_each_file_and_shows_each_value(self):
        await self.make_file_goods()
        for product, quantity in ((self.key, 1), (self.gift, 1), (self.ebook, 2), (self.config, 1)):
            await sync_to_async(add_to_cart)(
                telegram_id=self.alice.telegram_id, product_id=product.pk, quantity=quantity
            )
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.CART.build())
        await alice.press("✅ Checkout")

        await alice.press("✅ Pay 22.99 RUB")

        self.assertEqual(sorted(sent_documents(alice)), ["TG-A", "TG-B", "TG-C"])
        for value in ("AAA-111", "https://example.com/gift", "a.pdf", "vpn.conf"):
            self.assertIn(value, alice.messages[-4].text)
        self.assertEqual(await Purchase.objects.acount(), 5)
        await self.money_is_right(self.alice, "27.01")

    async def test_a_stars_order_sends_the_file_once(self):
        await self.make_file_goods()
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.PAY_STARS_PRODUCT.build(self.ebook.pk))

        await self.pay(bob, self.invoice(bob))

        self.assertEqual(sent_documents(bob), ["TG-A"])
        [purchase] = [p async for p in Purchase.objects.select_related("file")]
        self.assertEqual((purchase.file.file_id, purchase.payment_id is not None), ("TG-A", True))
        self.assertFalse(await LedgerEntry.objects.filter(customer=self.bob).aexists())

    async def test_the_history_sends_the_same_file_again(self):
        await self.make_file_goods()
        shop, alice = await self.start_chat()
        await self.buy(alice, self.ebook, "✅ Pay 3.00 RUB")
        purchase = await Purchase.objects.aget()

        await alice.press_data(callbacks.PURCHASE.build(purchase.pk, 1))

        self.assertEqual(sent_documents(alice), ["TG-A", "TG-A"])
        self.assertEqual(await Purchase.objects.acount(), 1)
        await self.money_is_right(self.alice, "47.00")

    async def test_a_web_upload_is_sent_by_upload_once_then_by_its_file_id(self):
        media = self.enterContext(tempfile.TemporaryDirectory())
        self.enterContext(override_settings(MEDIA_ROOT=media))
        product = await sync_to_async(make_product)(
            self.games, "Guide", "1.00", is_unlimited=True, delivery=Kind.SHARED_FILE
        )
        await sync_to_async(set_shared_file)(
            actor=self.owner,
            product_id=product.pk,
            file=FileSpec("guide.pdf", 4, upload=ContentFile(b"%PDF")),
        )
        shop, alice = await self.start_chat()

        await self.buy(alice, product, "✅ Pay 1.00 RUB")
        await self.buy(alice, product, "✅ Pay 1.00 RUB")

        first, second = sent_documents(alice)
        self.assertEqual((first["filename"], first["content"]), ("guide.pdf", b"%PDF"))
        stored = await DeliveryFile.objects.aget()
        self.assertTrue(stored.file_id)
        self.assertEqual(second, stored.file_id)
