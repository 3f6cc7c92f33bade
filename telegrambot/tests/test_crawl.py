"""Press every button a customer can reach: no error, no unanswered press, no refused call."""

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.test import override_settings

from catalog.services import purchase_product
from shopbot.test import make_customer
from telegrambot import callbacks
from telegrambot.tests.helpers import BotTestCase

CONFIGURED = {
    "RULES": "Be nice & <polite>.",
    "HELPER_ID": "shop_helper",
    "CHANNEL_URL": "https://t.me/shop_news",
    "STARS_PER_VALUE": Decimal("1"),
    "TELEGRAM_PROVIDER_TOKEN": "provider",
    "CRYPTO_PAY_TOKEN": "crypto",
}
MY_ROUTES = {
    callbacks.PROFILE.build(),
    callbacks.PURCHASES.build(1),
    callbacks.LEDGER.build(1),
    callbacks.REDEEM_PROMO.build(),
    callbacks.TOP_UP.build(),
    callbacks.REFERRALS.build(),
    callbacks.REFERRAL_LIST.build(1),
    callbacks.LANGUAGE.build(),
    callbacks.SET_LANGUAGE.build("en"),
    callbacks.SET_LANGUAGE.build("ru"),
    callbacks.MENU.build(),
    callbacks.CANCEL.build(),
    callbacks.RULES.build(),
    callbacks.SUPPORT.build(),
}


@override_settings(**CONFIGURED)
class CrawlTests(BotTestCase):
    async def prepare(self) -> None:
        for product in (self.key, self.gift, self.gift):
            await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=product.pk)
        for number in range(11):
            await sync_to_async(make_customer)(
                8000 + number, first_name=f"Friend {number}", referrer=self.alice
            )

    async def test_it_finds_no_dead_button_in_english(self) -> None:
        await self.prepare()
        shop, alice = await self.start_chat()

        pressed = await alice.crawl()

        self.assertLessEqual(MY_ROUTES, set(pressed))
        self.assertTrue(any(callbacks.PURCHASE.matches(data) for data in pressed))
        self.assertEqual(shop.telegram.rejections, [])
        self.assertEqual(shop.errors, [])

    async def test_it_finds_no_dead_button_in_russian(self) -> None:
        shop, ivan = await self.start_chat(5701, language_code="ru")

        pressed = await ivan.crawl()

        self.assertLessEqual(MY_ROUTES - {"pur:"}, set(pressed))
        self.assertEqual(shop.errors, [])

    async def test_it_answers_every_press_of_a_brand_new_user(self) -> None:
        shop, bob = await self.start_chat(self.bob.telegram_id)

        pressed = await bob.crawl()

        answered = [answer for answer in shop.telegram.callback_queries.values() if answer is not None]
        self.assertEqual(len(answered), len(shop.telegram.callback_queries))
        self.assertGreaterEqual(len(pressed), len(MY_ROUTES))
