"""Manual fulfilment in the bot: questions at checkout, the receipt, Orders to fulfil, notices, late refunds."""

from datetime import timedelta
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.test import override_settings
from django.utils.timezone import now

from accounts.models import Customer
from catalog.manual_models import ManualOrder
from catalog.models import Product, Purchase, PurchaseIntent
from catalog.services import add_to_cart
from catalog.services.delivery_files import set_delivery_kind
from catalog.services.manual import set_fulfil_hours, set_product_questions
from shopbot.test import make_product, make_promo
from telegrambot import callbacks, manual_notices
from telegrambot.tests.admin_support import AdminTestCase, send_document, send_photo

EMAIL = "Your account e-mail"


class ManualTestCase(AdminTestCase):
    @sync_to_async
    def make_service(self) -> Product:
        service = make_product(self.games, "Boost", "7.00")
        set_delivery_kind(actor=self.owner, product_id=service.pk, kind=Product.DeliveryKind.MANUAL)
        set_product_questions(actor=self.owner, product_id=service.pk, questions=[(EMAIL, 40)])
        set_fulfil_hours(actor=self.owner, product_id=service.pk, hours=3)
        return service

    async def order(self) -> ManualOrder:
        return await ManualOrder.objects.select_related("purchase").aget()


class ManualOrderTests(ManualTestCase):
    async def buy(self, alice, service: Product, answer: str = "alice@example.com") -> None:
        await alice.press_data(callbacks.PRODUCT.build(service.pk, 1))
        await alice.press("💰 Buy")
        await alice.send(answer)
        await alice.press("➡️ Continue")
        await alice.press("✅ Pay 7.00 RUB")

    async def in_shop(self, shop, customer: Customer):
        """A chat of ``customer`` in the same shop (and fake Telegram) as the buyer's."""
        user = await shop.user(customer.telegram_id, username=customer.username or None)
        await user.send("/start")
        return user

    def texts_to(self, shop, telegram_id: int) -> list[str]:
        return [
            call.params.get("text", "")
            for call in shop.telegram.calls_to("sendMessage")
            if call.params.get("chat_id") == telegram_id
        ]

    async def test_a_customer_answers_the_questions_refusing_bad_answers_then_pays(self):
        service = await self.make_service()
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(service.pk, 1))
        self.assertIn("💰 Buy", alice.screen.labels)  # a manual product is always for sale

        await alice.press("💰 Buy")
        self.assertIn(EMAIL, alice.screen.text)
        for bad in ("x" * 41, "   "):
            await alice.send(bad)
            self.assertIn("1 to 40 characters", alice.screen.text)
        await send_photo(alice)
        await alice.send("<b>alice</b>@example.com")
        self.assertIn("answers are saved", alice.screen.text)
        await alice.send("what now?")
        self.assertIn("Press Continue", alice.screen.text)
        await alice.press("➡️ Continue")
        self.assertIn("Price: 7.00 RUB", alice.screen.text)
        await alice.press("✅ Pay 7.00 RUB")

        self.assertIn("being prepared, expected within 3 h", alice.screen.text)
        order = await self.order()
        self.assertEqual(order.answers, [{"label": EMAIL, "answer": "<b>alice</b>@example.com"}])

    async def test_staff_deliver_from_orders_to_fulfil_and_the_customer_is_told(self):
        service = await self.make_service()
        shop, alice = await self.start_chat()
        await self.buy(alice, service, "<b>alice</b>@example.com")
        adam = await self.in_shop(shop, self.admin)

        await adam.send("/admin")
        await adam.press("📦 Orders to fulfil (1)")
        order = await self.order()
        await adam.press_data(callbacks.ADMIN_FULFIL_ORDER.build(order.pk))
        self.assertIn("<b>alice</b>@example.com", adam.screen.text)  # shown as typed, escaped
        self.assertIn(EMAIL, adam.screen.text)
        await adam.press("📦 Deliver")
        await send_photo(adam)  # not a document: asked again
        self.assertIn("Send what the customer receives", adam.screen.text)
        await adam.send("KEY-<i>42</i>")
        self.assertIn("is delivered", adam.screen.text)

        told = self.texts_to(shop, alice.id)
        self.assertTrue(
            any("is ready" in text and "KEY-&lt;i&gt;42&lt;/i&gt;" in text for text in told), told
        )
        order = await self.order()
        self.assertIsNotNone(order.customer_told_at)
        self.assertEqual(order.purchase.value, "KEY-<i>42</i>")
        await adam.press_data(callbacks.ADMIN_FULFIL_REFUND_YES.build(order.pk))
        self.assertIn("already delivered or refunded", adam.alert or "")

    async def test_staff_deliver_a_document(self):
        service = await self.make_service()
        shop, alice = await self.start_chat()
        await self.buy(alice, service)
        adam = await self.in_shop(shop, self.admin)
        order = await self.order()

        await adam.press_data(callbacks.ADMIN_FULFIL_DELIVER.build(order.pk))
        await send_document(adam, b"licence", "licence.key")

        self.assertIn("is delivered", adam.screen.text)
        purchase = await Purchase.objects.select_related("file").aget(pk=order.purchase_id)
        self.assertEqual(purchase.file.name, "licence.key")
        documents = [
            call for call in shop.telegram.calls_to("sendDocument") if call.params.get("chat_id") == alice.id
        ]
        self.assertEqual(len(documents), 1)

    async def test_staff_refund_and_the_customer_is_told(self):
        service = await self.make_service()
        shop, alice = await self.start_chat()
        await self.buy(alice, service)
        adam = await self.in_shop(shop, self.admin)
        order = await self.order()

        await adam.press_data(callbacks.ADMIN_FULFIL_ORDER.build(order.pk))
        await adam.press("↩️ Refund")
        await adam.press("↩️ Yes, refund")

        self.assertIn("is refunded", adam.screen.text)
        self.assertTrue(any("could not be delivered" in text for text in self.texts_to(shop, alice.id)))
        customer = await Customer.objects.aget(pk=self.alice.pk)
        self.assertEqual(customer.balance, Decimal("50.00"))

    async def test_staff_without_fulfil_orders_and_forged_presses_are_refused(self):
        service = await self.make_service()
        shop, alice = await self.start_chat()
        await self.buy(alice, service)
        order = await self.order()
        carl = await self.in_shop(shop, self.carl)  # may manage stock only
        for data in [
            callbacks.ADMIN_FULFIL.build(1),
            callbacks.ADMIN_FULFIL_ORDER.build(order.pk),
            callbacks.ADMIN_FULFIL_DELIVER.build(order.pk),
            callbacks.ADMIN_FULFIL_REFUND.build(order.pk),
            callbacks.ADMIN_FULFIL_REFUND_YES.build(order.pk),
        ]:
            await self.refused(carl, data, self.carl)
        adam = await self.in_shop(shop, self.admin)
        await adam.press_data(callbacks.ADMIN_FULFIL_ORDER.build(999_999))
        self.assertIn("not in the queue", adam.alert or "")
        for data in ("admfo:<b>1</b>", "admfry:-1", "admfd:" + "9" * 30):  # malformed on purpose
            await adam.press_data(data)
        order = await self.order()
        self.assertTrue(order.is_waiting)

    async def test_a_late_order_is_escalated_once_and_refunded_from_the_history(self):
        service = await self.make_service()
        shop, alice = await self.start_chat()
        await self.buy(alice, service)
        order = await self.order()
        await alice.press_data(callbacks.PURCHASE.build(order.purchase_id, 1))
        self.assertNotIn("↩️ Refund: not delivered in time", alice.screen.labels)
        past = now() - timedelta(minutes=1)
        await ManualOrder.objects.filter(pk=order.pk).aupdate(due_at=past)
        await Purchase.objects.filter(pk=order.purchase_id).aupdate(fulfil_by=past)

        bot = shop.application.bot
        self.assertEqual(await manual_notices.escalate(bot), 1)
        self.assertEqual(await manual_notices.escalate(bot), 0)
        self.assertTrue(
            any("past its deadline" in text for text in self.texts_to(shop, self.owner.telegram_id))
        )

        bob_chat = await self.in_shop(shop, self.bob)
        await bob_chat.press_data(callbacks.REFUND_LATE.build(order.purchase_id))  # another customer's
        self.assertIn("not in the queue", bob_chat.alert or "")

        await alice.press_data(callbacks.PURCHASE.build(order.purchase_id, 1))
        await alice.press("↩️ Refund: not delivered in time")
        self.assertIn("refunded to your balance", alice.screen.text)
        customer = await Customer.objects.aget(pk=self.alice.pk)
        self.assertEqual(customer.balance, Decimal("50.00"))
        self.assertEqual(await manual_notices.tell_customers(bot), 0)  # the screen told them already


class OtherRailTests(ManualTestCase):
    async def test_the_cart_checkout_asks_the_questions_first(self):
        service = await self.make_service()
        await sync_to_async(add_to_cart)(telegram_id=self.alice.telegram_id, product_id=service.pk)
        await sync_to_async(add_to_cart)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.CHECKOUT.build())
        self.assertIn(EMAIL, alice.screen.text)
        await alice.send("cart@example.com")
        await alice.press("➡️ Continue")
        pay = [label for label in alice.screen.labels if label.startswith("✅ Pay")]
        await alice.press(pay[0])

        order = await self.order()
        self.assertEqual(order.answers[0]["answer"], "cart@example.com")
        self.assertIn("being prepared", alice.screen.text)
        self.assertIn("AAA-111", alice.screen.text)  # the key of the same checkout

    async def test_a_stars_invoice_asks_the_questions_first(self):
        service = await self.make_service()
        shop, alice = await self.start_chat()
        with override_settings(STARS_PER_VALUE=Decimal("2")):
            await alice.press_data(callbacks.PAY_STARS_PRODUCT.build(service.pk))
            self.assertEqual(shop.telegram.calls_to("sendInvoice"), [])
            await alice.send("stars@example.com")
            await alice.press("➡️ Continue")

        self.assertEqual(len(shop.telegram.calls_to("sendInvoice")), 1)
        intent = await PurchaseIntent.objects.aget(payment__isnull=False)
        self.assertEqual(intent.answers, {str(service.pk): ["stars@example.com"]})

    async def test_a_promo_code_chosen_on_the_card_survives_the_questions(self):
        service = await self.make_service()
        await sync_to_async(make_promo)("SAVE10")
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(service.pk, 1))

        await alice.press_data(callbacks.PRODUCT_PROMO.build(service.pk))
        await alice.send("SAVE10")
        self.assertIn(EMAIL, alice.screen.text)
        await alice.send("promo@example.com")
        await alice.press("➡️ Continue")

        self.assertIn("✅ Pay 6.30 RUB", alice.screen.labels)
        await alice.press("✅ Pay 6.30 RUB")
        order = await self.order()
        self.assertEqual(order.purchase.price, Decimal("6.30"))
