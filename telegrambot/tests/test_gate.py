"""The gate: blocked users, the channel subscription, users who block the bot, payments."""

from django.core.cache import cache
from django.test import override_settings

from accounts.models import Customer
from telegrambot import callbacks
from telegrambot.tests.helpers import BotTestCase, change_customer

CHANNEL = {"CHANNEL_ID": "@shop_news", "CHANNEL_URL": "https://t.me/shop_news"}


class BlockedUserTests(BotTestCase):
    async def test_it_tells_a_blocked_user_once_and_does_nothing_else(self) -> None:
        await change_customer(self.bob.pk, is_blocked=True)
        shop = await self.start_shop()
        bob = await shop.user(self.bob.telegram_id)

        await bob.send("/start")
        await bob.send("/profile")
        await bob.send("150")

        self.assertEqual(
            [message.text for message in bob.messages],
            ["Your account is blocked. If you think this is a mistake, contact support."],
        )

    async def test_it_answers_a_blocked_users_presses_without_showing_anything(self) -> None:
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await change_customer(self.bob.pk, is_blocked=True)

        await bob.press("👤 Profile")
        self.assertEqual(
            bob.alert, "Your account is blocked. If you think this is a mistake, contact support."
        )
        await bob.press("👤 Profile")
        self.assertIsNone(bob.alert)
        self.assertIn("Hello", bob.screen.text)

    async def test_it_remembers_that_a_user_blocked_the_bot(self) -> None:
        shop, alice = await self.start_chat()

        await alice.block_bot()

        self.assertTrue((await Customer.objects.aget(pk=self.alice.pk)).has_blocked_bot)

    async def test_it_marks_a_user_who_blocked_the_bot_when_a_reply_is_forbidden(self) -> None:
        shop, alice = await self.start_chat()
        shop.telegram.blocked_by.add(alice.id)

        with alice.allowing_rejections():
            await alice.send("/profile")

        self.assertTrue((await Customer.objects.aget(pk=self.alice.pk)).has_blocked_bot)

    async def test_it_lets_a_blocked_users_payment_through(self) -> None:
        await change_customer(self.bob.pk, is_blocked=True)
        shop = await self.start_shop()
        await shop.user(self.owner.telegram_id)  # the payments handlers may report to the owner
        await shop.user(self.admin.telegram_id)  # and to refund staff
        bob = await shop.user(self.bob.telegram_id)

        await bob.successful_payment(payload="unknown", currency="XTR", total_amount=10)

        # Neither the blocked notice nor "not understood": the payment belongs to the payments handlers.
        texts = [message.text for message in bob.messages]
        self.assertFalse([text for text in texts if "blocked" in text or "did not understand" in text], texts)


@override_settings(**CHANNEL)
class ChannelGateTests(BotTestCase):
    async def test_it_asks_a_non_member_to_join_at_every_entry_point(self) -> None:
        shop, alice = await self.start_chat()
        self.assertIn("please join our channel", alice.screen.text)
        self.assertEqual(alice.screen.labels, ["📢 Join the channel", "✅ I've joined"])

        for command in ("/profile", "/help", "/language", "150"):
            await alice.send(command)
            self.assertIn("please join our channel", alice.screen.text)
        await alice.press_data(callbacks.PROFILE.build())
        self.assertIn("please join our channel", alice.screen.text)

    async def test_it_rechecks_when_the_user_says_they_joined(self) -> None:
        shop, alice = await self.start_chat()

        await alice.press("✅ I've joined")
        self.assertEqual(alice.alert, "You have not joined the channel yet.")

        shop.telegram.set_channel_member("@shop_news", alice.id)
        await alice.press("✅ I've joined")
        self.assertIn("Hello", alice.screen.text)
        await alice.press("👤 Profile")
        self.assertIn("Profile", alice.screen.text)

    async def test_it_lets_members_and_admins_in(self) -> None:
        shop = await self.start_shop()
        shop.telegram.set_channel_member("@shop_news", self.alice.telegram_id, "administrator")
        alice = await shop.user(self.alice.telegram_id, first_name="Alice")
        admin = await shop.user(self.admin.telegram_id)

        await alice.send("/start")
        await admin.send("/start")

        self.assertIn("Hello", alice.screen.text)
        self.assertIn("Hello", admin.screen.text)

    async def test_it_shuts_out_a_member_who_left_once_the_cache_expires(self) -> None:
        shop = await self.start_shop()
        shop.telegram.set_channel_member("@shop_news", self.alice.telegram_id)
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")

        shop.telegram.set_channel_member("@shop_news", self.alice.telegram_id, "left")
        await cache.adelete(f"channel-member:{self.alice.telegram_id}")
        await alice.send("/start")

        self.assertIn("please join our channel", alice.screen.text)

    async def test_it_speaks_the_users_language_at_the_gate(self) -> None:
        shop, ivan = await self.start_chat(5101, language_code="ru")

        self.assertIn("подпишитесь на наш канал", ivan.screen.text)


class BlockNoticeOncePerBlockTests(BotTestCase):
    async def test_it_tells_the_reason_once_per_block_and_again_after_a_new_block(self) -> None:
        from asgiref.sync import sync_to_async

        from accounts.services import set_blocked

        shop, bob = await self.start_chat(self.bob.telegram_id)

        @sync_to_async
        def block(blocked: bool) -> None:
            with self.captureOnCommitCallbacks(execute=True):
                set_blocked(
                    actor=self.owner, telegram_id=self.bob.telegram_id, blocked=blocked, reason="Chargebacks"
                )

        await block(True)
        before = len(bob.messages)
        await bob.send("/start")
        await bob.send("<b>hello</b>")
        await bob.press_data(callbacks.MENU.build())
        told = [message.text for message in bob.messages[before:]]
        self.assertEqual(len(told), 1)
        self.assertIn("Reason: Chargebacks", told[0])
        self.assertIsNone(bob.alert)  # the press after the notice: answered without a word

        await block(False)
        await block(True)
        await bob.press_data(callbacks.MENU.build())

        self.assertIn("Reason: Chargebacks", bob.alert)
