"""A new customer over the day's spending cap is told so in the chat, and nothing is sold."""

from decimal import Decimal

from django.test import override_settings

from catalog.models import Purchase
from telegrambot import callbacks
from telegrambot.tests.helpers import BotTestCase


@override_settings(NEW_CUSTOMER_HOURS=24, NEW_CUSTOMER_MAX_SPEND=Decimal("15.00"))
class NewCustomerLimitTests(BotTestCase):
    async def test_the_second_key_of_the_day_is_refused_with_what_is_left(self) -> None:
        shop, alice = await self.start_chat()
        for _ in range(2):
            await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
            await alice.press("💰 Buy")
            await alice.press("✅ Pay 9.99 RUB")

        self.assertIn(
            "New customers can spend up to 15.00 RUB a day for now; 5.01 RUB is left today.",
            alice.alert,
        )
        self.assertEqual(await Purchase.objects.acount(), 1)
