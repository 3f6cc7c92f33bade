"""The Mini App's reads count against their own limit, never towards the chat's global ban."""

from __future__ import annotations

from telegrambot import ratelimit
from telegrambot.miniapp.tests.test_api import MiniAppTestCase

READS = ["me", "categories", "search", "cart", "purchases"]


class ReadLimitTests(MiniAppTestCase):
    def test_a_fast_page_of_reads_does_not_trip_the_chats_global_ban(self):
        app = self.app()
        with self.settings(RATE_LIMITS=True, RATE_LIMIT_GLOBAL="5/m", RATE_LIMIT_APP_READ="100/m"):
            statuses = {app.get(READS[number % len(READS)], q="key").status_code for number in range(40)}
            statuses.add(app.get(f"products/{self.key.pk}").status_code)

            self.assertEqual(statuses, {200})
            # The chat's counter saw none of them: the next chat update is the first of its window.
            self.assertIsNone(ratelimit.check_update(telegram_id=self.alice.telegram_id))
            self.assertIsNone(self.cache_ban())

    def test_reads_over_their_own_limit_answer_429(self):
        app = self.app()
        with self.settings(RATE_LIMITS=True, RATE_LIMIT_GLOBAL="100/m", RATE_LIMIT_APP_READ="3/m"):
            statuses = [app.get("categories").status_code for _ in range(4)]
            refused = app.get(f"products/{self.key.pk}")
            write = app.post("cart/add", {"product_id": self.key.pk})

        self.assertEqual(statuses, [200, 200, 200, 429])
        self.assertEqual(refused.status_code, 429)
        self.assertEqual(refused.json()["code"], "rate_limited")
        self.assertGreater(refused.json()["seconds"], 0)
        self.assertEqual(write.status_code, 200)  # writes keep the chat's counters, not the reads'

    def test_a_user_banned_in_the_chat_is_refused_reads_too(self):
        app = self.app()
        with self.settings(RATE_LIMITS=True, RATE_LIMIT_GLOBAL="2/m", RATE_LIMIT_APP_READ="100/m"):
            for _ in range(3):
                ratelimit.check_update(telegram_id=self.alice.telegram_id)

            response = app.get("categories")

        self.assertEqual(response.status_code, 429)

    def test_admins_are_exempt_from_the_read_limit(self):
        admin = self.app(self.admin.telegram_id)
        with self.settings(RATE_LIMITS=True, RATE_LIMIT_APP_READ="2/m"):
            statuses = {admin.get("categories").status_code for _ in range(5)}

        self.assertEqual(statuses, {200})

    def cache_ban(self) -> object:
        from django.core.cache import cache

        return cache.get(ratelimit.ban_key(self.alice.telegram_id))
