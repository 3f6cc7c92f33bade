"""Paid broadcasts: the owner's choice with its cost, 1000 messages a second, refused to everyone else."""

import time
from collections import deque

from asgiref.sync import sync_to_async
from django.test import override_settings

from accounts.models import AuditEntry
from telegrambot import callbacks
from telegrambot.jobs import broadcast as broadcast_job
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.tests.helpers import BotTestCase
from telegrambot.tests.test_admin_broadcast_job import TEXT, latest_broadcast, make_audience, received

PAID_BUTTON = "⚡ Paid: up to 1000/s"


class TelegramLimits(FakeTelegram):
    """A Bot API with Telegram's bulk limits: 30 messages in any second, 1000 with allow_paid_broadcast."""

    def __init__(self) -> None:
        super().__init__()
        self.sends: dict[bool, deque[float]] = {False: deque(), True: deque()}
        self.floods = 0
        self.paid_flags: dict[int, bool] = {}  # chat id -> sent with allow_paid_broadcast

    def handle(self, method, params):
        if method.lower() == "sendmessage" and TEXT[:10] in str(params.get("text", "")):
            paid = str(params.get("allow_paid_broadcast", "")).lower() == "true"
            recent, moment = self.sends[paid], time.monotonic()
            while recent and moment - recent[0] >= 1.0:
                recent.popleft()
            if len(recent) >= (1000 if paid else 30):
                self.floods += 1
                return 429, {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
            recent.append(moment)
            self.paid_flags[int(params["chat_id"])] = paid
        return super().handle(method, params)


@override_settings(PAID_BROADCASTS=True)
class PaidBroadcastTests(BotTestCase):
    async def compose(self, shop, telegram_id):
        user = await shop.user(telegram_id)
        await user.send("/start")
        await user.press_data(callbacks.ADMIN_BROADCAST_NEW.build())
        await user.send(TEXT)
        await user.press("⏭ Skip")
        await user.press("⏭ Skip")
        await user.press("🇷🇺 Russian speakers")
        return user

    async def test_the_owner_sees_the_cost_and_sends_at_1000_a_second_without_a_flood(self):
        shop = await self.start_shop(TelegramLimits())
        ids = await make_audience(shop.telegram, 1500)
        olga = await self.compose(shop, self.owner.telegram_id)
        self.assertIn("Speed: about 30 messages a second, free", olga.screen.text)

        await olga.press(PAID_BUTTON)
        self.assertIn("paid broadcast, up to 1000 messages a second", olga.screen.text)
        self.assertIn("about 150 ⭐ for 1500 recipients", olga.screen.text)
        self.assertIn("🐢 Send at the free speed instead", olga.screen.labels)
        await olga.press("✅ Send to")
        await broadcast_job.send_broadcast(shop.application, (await latest_broadcast()).pk)

        self.assertEqual(set(received(shop.telegram, ids).values()), {1})
        self.assertEqual(shop.telegram.floods, 0)  # never more than 1000 in any second
        self.assertEqual({shop.telegram.paid_flags[telegram_id] for telegram_id in ids}, {True})
        broadcast = await latest_broadcast()
        self.assertEqual((broadcast.paid, broadcast.sent, broadcast.status), (True, 1500, "finished"))
        audit = await AuditEntry.objects.aget(action="set_paid_broadcast")
        self.assertEqual(audit.details, {"paid": True, "recipients": 1500, "stars": 150})

    async def test_the_owner_can_go_back_to_the_free_speed(self):
        shop = await self.start_shop(TelegramLimits())
        ids = await make_audience(shop.telegram, 5)
        olga = await self.compose(shop, self.owner.telegram_id)
        await olga.press(PAID_BUTTON)
        await olga.press("🐢 Send at the free speed instead")
        self.assertIn("Speed: about 30 messages a second, free", olga.screen.text)
        self.assertIn(PAID_BUTTON, " ".join(olga.screen.labels))

        await olga.press("✅ Send to")
        await broadcast_job.send_broadcast(shop.application, (await latest_broadcast()).pk)
        self.assertEqual(set(received(shop.telegram, ids).values()), {1})
        self.assertEqual({shop.telegram.paid_flags[telegram_id] for telegram_id in ids}, {False})

    async def test_an_admin_who_is_not_the_owner_is_neither_offered_it_nor_allowed_it(self):
        shop = await self.start_shop(TelegramLimits())
        ids = await make_audience(shop.telegram, 3)
        adam = await self.compose(shop, self.admin.telegram_id)
        self.assertNotIn(PAID_BUTTON, " ".join(adam.screen.labels))
        draft = await latest_broadcast()

        await adam.press_data(callbacks.ADMIN_BROADCAST_PAID.build(draft.pk, "on"), strict=False)
        for forged in (
            f"admbrp:{draft.pk}:yes",
            f"admbrp:{draft.pk}:<b>",
            "admbrp:-1:on",
            "admbrp:" + "9" * 80,
        ):
            await adam.press_data(forged, strict=False)  # malformed on purpose: matches no route
        self.assertEqual(shop.telegram.paid_flags[self.admin.telegram_id], False)  # the preview

        self.assertFalse((await latest_broadcast()).paid)
        self.assertTrue(
            await AuditEntry.objects.filter(action="permission_denied", target="set_paid_broadcast").aexists()
        )
        await adam.press("✅ Send to")
        await broadcast_job.send_broadcast(shop.application, draft.pk)
        self.assertEqual({shop.telegram.paid_flags[telegram_id] for telegram_id in ids}, {False})

    async def test_the_owner_cannot_press_it_for_another_draft_or_after_sending(self):
        shop = await self.start_shop(TelegramLimits())
        await make_audience(shop.telegram, 3)
        await self.compose(shop, self.admin.telegram_id)
        adams = await latest_broadcast()
        olga = await self.compose(shop, self.owner.telegram_id)

        await olga.press_data(callbacks.ADMIN_BROADCAST_PAID.build(adams.pk, "on"), strict=False)
        self.assertIn("no longer open", olga.alert)
        await olga.press("✅ Send to")
        await olga.press_data(
            callbacks.ADMIN_BROADCAST_PAID.build((await latest_broadcast()).pk, "on"), strict=False
        )

        self.assertEqual([draft.paid async for draft in type(adams).objects.order_by("id")], [False, False])

    @override_settings(PAID_BROADCASTS=False)
    async def test_a_bot_without_paid_broadcasts_offers_nothing_and_sends_a_paid_draft_free(self):
        shop = await self.start_shop(TelegramLimits())
        ids = await make_audience(shop.telegram, 3)
        olga = await self.compose(shop, self.owner.telegram_id)
        self.assertNotIn(PAID_BUTTON, " ".join(olga.screen.labels))
        draft = await latest_broadcast()
        await olga.press_data(callbacks.ADMIN_BROADCAST_PAID.build(draft.pk, "on"), strict=False)
        self.assertFalse((await latest_broadcast()).paid)

        await sync_to_async(type(draft).objects.filter(pk=draft.pk).update)(
            paid=True
        )  # chosen before it was off
        await olga.press("✅ Send to")
        await broadcast_job.send_broadcast(shop.application, draft.pk)
        self.assertEqual(set(received(shop.telegram, ids).values()), {1})
        self.assertEqual({shop.telegram.paid_flags[telegram_id] for telegram_id in ids}, {False})
