"""Product pictures kept by Telegram, served to the Mini App through getFile on the fake Bot API, cached."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.test import override_settings

from payments.tests.test_admin_refunds import BotApiThread
from telegrambot import providers
from telegrambot.miniapp import images
from telegrambot.miniapp.tests.test_api import MiniAppTestCase
from telegrambot.simulator.fake_telegram import FakeTelegram

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


class TelegramImageTests(MiniAppTestCase):
    def setUp(self):
        self.telegram = FakeTelegram()
        self.bot_api = BotApiThread(self.telegram).__enter__()
        self.addCleanup(self.bot_api.__exit__)
        self.enterContext(override_settings(TELEGRAM_API_URL=self.bot_api.url))
        self.file_id, _unique = self.telegram.add_file(PNG, suffix=".png")
        self.key.image = self.file_id
        self.key.save()

    def test_the_page_gets_an_address_of_the_apps_own_for_a_telegram_picture(self):
        item = self.app().get(f"products/{self.key.pk}").json()["product"]
        tiles = self.app().get(f"categories/{self.games.pk}").json()["items"]

        self.assertEqual(item["image"], f"/app/img/{self.key.pk}/?v={images.digest(self.file_id)}")
        self.assertEqual([tile["image"] for tile in tiles if tile["id"] == self.key.pk], [item["image"]])

    def test_it_serves_the_picture_once_asked_of_telegram_then_from_the_cache(self):
        first = self.client.get(f"/app/img/{self.key.pk}/")
        second = self.client.get(f"/app/img/{self.key.pk}/")

        self.assertEqual((first.status_code, first.content, first["Content-Type"]), (200, PNG, "image/png"))
        self.assertEqual(first["Cache-Control"], f"public, max-age={images.CACHE_SECONDS}")
        self.assertEqual(second.content, PNG)
        self.assertEqual(
            [call.params["file_id"] for call in self.telegram.calls_to("getFile")], [self.file_id]
        )

    def test_a_new_picture_is_a_new_address_and_is_fetched_again(self):
        old = self.app().get(f"products/{self.key.pk}").json()["product"]["image"]
        self.client.get(f"/app/img/{self.key.pk}/")
        jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 20
        self.key.image, _unique = self.telegram.add_file(jpeg, suffix=".jpg")
        self.key.save()

        new = self.app().get(f"products/{self.key.pk}").json()["product"]["image"]
        response = self.client.get(new)

        self.assertNotEqual(new, old)
        self.assertEqual((response.content, response["Content-Type"]), (jpeg, "image/jpeg"))

    def test_hidden_products_addresses_and_unknown_ids_are_not_served(self):
        self.gift.image = "https://example.com/gift.png"
        self.gift.save()
        hidden = self.key.pk
        self.key.is_active = False
        self.key.save()

        self.assertEqual(self.client.get(f"/app/img/{hidden}/").status_code, 404)
        self.assertEqual(self.client.get(f"/app/img/{self.gift.pk}/").status_code, 404)
        self.assertEqual(self.client.get("/app/img/999999/").status_code, 404)
        self.assertEqual(self.client.get("/app/img/abc/").status_code, 404)
        self.assertEqual(self.telegram.calls_to("getFile"), [])

    def test_a_file_that_is_no_picture_or_that_telegram_refuses_is_not_served(self):
        self.key.image, _unique = self.telegram.add_file(b"<html><script>alert(1)</script>", suffix=".png")
        self.key.save()
        self.gift.image = "no-such-file-id"
        self.gift.save()

        self.assertEqual(self.client.get(f"/app/img/{self.key.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/app/img/{self.gift.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/app/img/{self.gift.pk}/").status_code, 404)
        # The refusal is remembered for a while: Telegram was asked once for each.
        self.assertEqual(len(self.telegram.calls_to("getFile")), 2)

    def test_a_picture_larger_than_the_limit_is_not_downloaded(self):
        big, _unique = self.telegram.add_file(PNG + b"\x00" * 100, suffix=".png")

        content = async_to_sync(providers.download_telegram_file)(big, max_bytes=50)

        self.assertIsNone(content)

    @override_settings(TOKEN="")
    def test_without_a_token_nothing_is_asked(self):
        self.assertIsNone(async_to_sync(providers.download_telegram_file)(self.file_id, max_bytes=1000))
        self.assertEqual(self.client.get(f"/app/img/{self.key.pk}/").status_code, 404)
