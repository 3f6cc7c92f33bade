"""Orders paid by card through Telegram Payments, like Stars orders: every delivery kind, once, the balance untouched."""

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.test import override_settings

from catalog.dynamic_models import DynamicOrder
from catalog.models import Product, Purchase
from catalog.services import add_to_cart
from catalog.services.delivery_files import set_delivery_kind
from catalog.services.manual import set_fulfil_hours
from catalog.tests.test_delivery_files import FileProducts
from catalog.tests.test_dynamic_sales import make_dynamic
from payments.models import LedgerEntry, Payment
from shopbot.test import ledger_matches_balance, make_product
from telegrambot import callbacks
from telegrambot.tests.test_payments import PAYMENT_METHODS, PaymentsBotTestCase, balance_of, latest_payment

NO_CARDS = override_settings(TELEGRAM_PROVIDER_TOKEN="")


@sync_to_async
def purchases_of(payment: Payment) -> list[Purchase]:
    return list(Purchase.objects.filter(payment=payment).select_related("file").order_by("id"))


@PAYMENT_METHODS
class CardOrderTests(FileProducts, PaymentsBotTestCase):
    async def test_the_card_and_the_cart_offer_a_card_with_a_provider_and_not_without(self):
        await sync_to_async(add_to_cart)(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        self.assertIn("💳 Pay 9.99 RUB by card", bob.screen.labels)
        await bob.press_data(callbacks.CART.build())
        self.assertIn("💳 Pay 9.99 RUB by card", bob.screen.labels)
        with NO_CARDS:
            await bob.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
            self.assertFalse([label for label in bob.screen.labels if "by card" in label])

    async def test_it_sells_a_key_by_card_and_leaves_the_balance_alone(self):
        shop, alice = await self.start_chat(self.alice.telegram_id)
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await alice.press("💳 Pay 9.99 RUB by card")

        invoice = self.invoice(alice)
        self.assertEqual((invoice["currency"], invoice["prices"][0]["amount"]), ("RUB", 999))
        self.assertEqual(invoice["provider_token"], "284685063:TEST:provider")
        charge = await self.pay(alice, invoice)

        self.assertIn("Paid by card", alice.screen.text)
        self.assertIn("AAA-111", alice.screen.text)
        payment = await latest_payment()
        self.assertEqual((payment.provider, payment.purpose, payment.status), ("telegram", "order", "paid"))
        self.assertEqual(await balance_of(self.alice), Decimal("50.00"))
        self.assertFalse(await LedgerEntry.objects.filter(customer=self.alice, kind="purchase").aexists())
        self.assertTrue(await sync_to_async(ledger_matches_balance)(self.alice))

        # Telegram repeating the payment message delivers nothing twice.
        await alice.successful_payment(
            payload=invoice["payload"], currency="RUB", total_amount=999, charge_id=charge
        )
        self.assertEqual(len(await purchases_of(payment)), 1)

    async def test_a_cart_of_every_kind_is_delivered_once_by_card(self):
        await sync_to_async(self.make_file_products)()
        service = await sync_to_async(make_product)(self.games, "Boost", "7.00")
        await sync_to_async(set_delivery_kind)(
            actor=self.owner, product_id=service.pk, kind=Product.DeliveryKind.MANUAL
        )
        await sync_to_async(set_fulfil_hours)(actor=self.owner, product_id=service.pk, hours=2)
        for product in (self.key, self.gift, self.ebook, self.config, service):
            await sync_to_async(add_to_cart)(telegram_id=self.bob.telegram_id, product_id=product.pk)
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.CART.build())
        [card] = [label for label in bob.screen.labels if "by card" in label]
        self.assertEqual(card, "💳 Pay 26.99 RUB by card")  # 9.99 + 5 + 3 + 2 + 7

        await bob.press(card)
        await self.pay(bob, self.invoice(bob))

        payment = await latest_payment()
        sold = await purchases_of(payment)
        self.assertEqual(
            [purchase.product_name for purchase in sold],
            ["Game key", "Gift link", "E-book", "Config", "Boost"],
        )
        self.assertEqual(sold[0].value, "AAA-111")
        self.assertEqual((sold[2].file.name, sold[3].file.name), ("a.pdf", "vpn.conf"))
        self.assertIsNotNone(sold[4].fulfil_by)  # staff deliver it by hand
        self.assertEqual(len([m for m in bob.messages if m.kind == "document"]), 2)
        receipts = [message.text for message in bob.messages if "Paid by card" in (message.text or "")]
        self.assertEqual(len(receipts), 1)
        self.assertIn("being prepared", receipts[0])
        self.assertFalse(await sync_to_async(lambda: self.bob.cart_lines.exists())())
        self.assertEqual(await balance_of(self.bob), Decimal("0"))

    async def test_a_key_from_the_sellers_system_is_ordered_by_card_and_waits_for_the_endpoint(self):
        licence = await sync_to_async(make_dynamic)(self.games, self.owner)
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.PAY_CARD_PRODUCT.build(licence.pk))

        await self.pay(bob, self.invoice(bob))

        order = await DynamicOrder.objects.select_related("purchase__payment").aget()
        self.assertEqual(order.purchase.payment.provider, "telegram")
        self.assertEqual(order.purchase.value, "")  # the job fetches it from the endpoint
        self.assertIn("on its way", bob.messages[-1].text)
        self.assertEqual(await balance_of(self.bob), Decimal("0"))

    async def test_a_forged_card_press_without_a_provider_is_refused_and_makes_no_payment(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        with NO_CARDS, bob.allowing_rejections():
            await bob.press_data(callbacks.PAY_CARD_PRODUCT.build(self.key.pk), strict=False)
            await bob.press_data(callbacks.PAY_CARD_CART.build(), strict=False)

        self.assertFalse(await Payment.objects.aexists())
        self.assertEqual(shop.telegram.calls_to("sendInvoice"), [])

    async def test_forged_card_presses_for_missing_products_are_refused(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        with bob.allowing_rejections():
            await bob.press_data(callbacks.PAY_CARD_PRODUCT.build(99999999), strict=False)  # no such product
            for data in ("pcp:0", "pcp:-1", "pcp:abc", "pcp:" + "9" * 40):
                await bob.press_data(data, strict=False)  # malformed on purpose

        self.assertFalse(await Payment.objects.aexists())

    async def test_a_card_payment_of_another_amount_is_refused_at_pre_checkout(self):
        shop, alice = await self.start_chat(self.alice.telegram_id)
        await alice.press_data(callbacks.PAY_CARD_PRODUCT.build(self.key.pk))
        invoice = self.invoice(alice)

        answer = await alice.pre_checkout(payload=invoice["payload"], currency="RUB", total_amount=1)

        self.assertFalse(answer["ok"])
        self.assertEqual(await Purchase.objects.acount(), 0)
