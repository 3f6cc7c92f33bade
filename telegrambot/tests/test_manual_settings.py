"""A manual product set up in the admin menu: the kind, the hours to deliver, the checkout questions."""

from asgiref.sync import sync_to_async

from catalog.manual_models import ProductQuestion
from catalog.models import Product
from shopbot.test import make_product
from telegrambot import callbacks
from telegrambot.tests.admin_support import AdminTestCase


class ManualSettingsTests(AdminTestCase):
    async def open_service(self):
        service = await sync_to_async(make_product)(self.games, "Boost", "7.00")
        adam = await self.chat(self.admin)
        await adam.press_data(callbacks.ADMIN_STOCK_PRODUCT.build(service.pk))
        return adam, service

    async def test_an_admin_sells_a_service_by_hand_without_touching_code(self):
        adam, service = await self.open_service()

        await adam.press("🤝 Deliver by hand instead")
        self.assertIn("deliver every order by hand", adam.screen.text)
        await adam.press("⏱ Hours to deliver")
        for bad in ("0", "721", "-3", "two", "<b>5</b>"):
            await adam.send(bad)
            self.assertIn("1 to 720", adam.screen.text)
        await adam.send("5")
        self.assertIn("within 5 h", adam.screen.text)

        await adam.press_data(callbacks.ADMIN_MANUAL_QUESTIONS.build(service.pk))
        await adam.send("a\nb\nc\nd")  # four
        self.assertIn("at most 3 questions", adam.screen.text)
        await adam.send("Your <b>e-mail</b> | 0")
        self.assertIn("1 to 1000", adam.screen.text)
        await adam.send("Your <b>e-mail</b> | 60\nServer name")
        self.assertIn("asks 2 questions", adam.screen.text)

        product = await Product.objects.aget(pk=service.pk)
        self.assertEqual((product.delivery, product.fulfil_hours), ("manual", 5))
        questions = [(q.label, q.max_length) async for q in ProductQuestion.objects.filter(product=product)]
        self.assertEqual(questions, [("Your <b>e-mail</b>", 60), ("Server name", 200)])
        await adam.press_data(callbacks.ADMIN_MANUAL_QUESTIONS.build(service.pk))
        self.assertIn("Your &lt;b&gt;e-mail&lt;/b&gt; | 60", adam.screen.html)  # the current ones, escaped
        await adam.send("-")
        self.assertIn("asks nothing", adam.screen.text)

    async def test_it_refuses_staff_without_manage_catalog(self):
        service = await sync_to_async(make_product)(self.games, "Boost", "7.00")
        carl = await self.chat(self.carl)  # may manage stock only
        await self.refused(carl, callbacks.ADMIN_MANUAL_HOURS.build(service.pk), self.carl)
        await self.refused(carl, callbacks.ADMIN_MANUAL_QUESTIONS.build(service.pk), self.carl)
