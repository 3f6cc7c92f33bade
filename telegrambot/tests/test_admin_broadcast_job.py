"""The broadcast job: hundreds of recipients, blocked users, cancel, restarts, the rate limit, RetryAfter."""

import asyncio
import time
from unittest import mock

from asgiref.sync import sync_to_async

from accounts.models import AuditEntry, Customer
from monitoring.metrics import BROADCAST_MESSAGES
from telegrambot import callbacks
from telegrambot.jobs import broadcast as broadcast_job
from telegrambot.models import Broadcast, BroadcastDelivery
from telegrambot.services import broadcasts
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.tests.admin_tools import make_admin, take_permissions
from telegrambot.tests.helpers import BotTestCase

TEXT = "<b>Spring sale</b>: every key −20%"
FIRST_ID = 500_000


class Crash(BaseException):
    """The process dies: nothing after this point runs."""


class FloodTelegram(FakeTelegram):
    """A Bot API that answers 429 (retry after a second) to the first message for ``flooded``."""

    def __init__(self, flooded: int) -> None:
        super().__init__()
        self.flooded = flooded
        self.floods = 0

    def handle(self, method, params):
        if (
            method.lower() == "sendmessage"
            and int(params.get("chat_id", 0)) == self.flooded
            and not self.floods
        ):
            self.floods += 1
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
        return super().handle(method, params)


@sync_to_async
def make_audience(telegram: FakeTelegram, count: int, *, blocked_every: int = 0) -> list[int]:
    """Create ``count`` Russian-speaking customers known to the fake; every n-th blocked the bot."""
    ids = [FIRST_ID + number for number in range(count)]
    Customer.objects.bulk_create(
        Customer(telegram_id=telegram_id, language="ru", referral_code=f"r{telegram_id}")
        for telegram_id in ids
    )
    for number, telegram_id in enumerate(ids):
        telegram.add_user({"id": telegram_id, "is_bot": False, "first_name": "Reader"})
        if blocked_every and number % blocked_every == 0:
            telegram.blocked_by.add(telegram_id)
    return ids


@sync_to_async
def latest_broadcast() -> Broadcast:
    return Broadcast.objects.order_by("-id").first()


@sync_to_async
def delivery_counts(broadcast_id: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in BroadcastDelivery.objects.filter(broadcast_id=broadcast_id).values_list(
        "status", flat=True
    ):
        counts[status] = counts.get(status, 0) + 1
    return counts


def received(telegram: FakeTelegram, ids: list[int]) -> dict[int, int]:
    """How many broadcast messages each customer received."""
    return {
        telegram_id: sum(1 for message in telegram.bot_messages(telegram_id) if "Spring sale" in message.text)
        for telegram_id in ids
    }


async def run_scheduled(shop) -> None:
    """Run the broadcast jobs queued in the (not started) JobQueue, as the scheduler would."""
    for job in shop.application.job_queue.jobs():
        if job.name.startswith("broadcast:"):
            job.schedule_removal()
            context = shop.application.context_types.context.from_job(job, shop.application)
            await job.callback(context)


class BroadcastJobTestCase(BotTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Fast enough for hundreds of recipients in a test; the throttling test sets its own rate.
        patcher = mock.patch.object(broadcast_job, "MESSAGES_PER_SECOND", 5000)
        patcher.start()
        self.addCleanup(patcher.stop)

    async def confirm_broadcast(self, shop, *, telegram_id=None):
        """Compose TEXT for Russian speakers as an admin and press Send; return the admin."""
        adam = await shop.user(telegram_id or self.admin.telegram_id)
        await adam.send("/start")
        await adam.press_data(callbacks.ADMIN_BROADCAST_NEW.build())
        await adam.send(TEXT)
        await adam.press("⏭ Skip")
        await adam.press("⏭ Skip")
        await adam.press("🇷🇺 Russian speakers")
        await adam.press("✅ Send to")
        self.assertIn("is being sent", adam.screen.text)
        return adam


class SendingTests(BroadcastJobTestCase):
    async def test_it_sends_once_to_each_of_300_customers_and_marks_those_who_blocked_the_bot(self):
        shop = await self.start_shop()
        ids = await make_audience(shop.telegram, 300, blocked_every=10)
        sent_before = BROADCAST_MESSAGES.labels(outcome="sent")._value.get()
        adam = await self.confirm_broadcast(shop)

        await run_scheduled(shop)

        counts = received(shop.telegram, ids)
        blocked = set(ids[::10])
        self.assertEqual({count for telegram_id, count in counts.items() if telegram_id not in blocked}, {1})
        self.assertEqual({counts[telegram_id] for telegram_id in blocked}, {0})
        broadcast = await latest_broadcast()
        self.assertEqual(
            (broadcast.status, broadcast.total, broadcast.sent, broadcast.blocked, broadcast.failed),
            ("finished", 300, 270, 30, 0),
        )
        self.assertEqual(await sync_to_async(Customer.objects.filter(has_blocked_bot=True).count)(), 30)
        self.assertEqual(BROADCAST_MESSAGES.labels(outcome="sent")._value.get() - sent_before, 270)
        self.assertIn(f"Broadcast #{broadcast.pk} is finished", adam.screen.text)
        self.assertIn("300 of 300 · sent 270 · failed 0 · blocked the bot 30", adam.screen.text)
        self.assertIn("Duration: 0 min", adam.screen.text)
        self.assertEqual(adam.screen.buttons, [])

        await adam.press_data(callbacks.ADMIN_BROADCAST_NEW.build())
        await adam.send(TEXT)
        await adam.press("⏭ Skip")
        await adam.press("⏭ Skip")
        await adam.press("🇷🇺 Russian speakers")
        self.assertIn("270 recipients", adam.screen.text)

    async def test_it_stops_when_cancelled_mid_way(self):
        shop = await self.start_shop()
        ids = await make_audience(shop.telegram, 300)
        adam = await self.confirm_broadcast(shop)
        broadcast = await latest_broadcast()

        with mock.patch.object(broadcast_job, "MESSAGES_PER_SECOND", 300):
            sending = asyncio.create_task(broadcast_job.send_broadcast(shop.application, broadcast.pk))
            while sum(received(shop.telegram, ids).values()) < 30:
                await asyncio.sleep(0.01)
            await adam.press("⏹ Cancel the broadcast")
            await sending

        self.assertEqual(adam.alert, "The broadcast is being cancelled.")
        counts = received(shop.telegram, ids)
        self.assertLessEqual(max(counts.values()), 1)
        self.assertLess(sum(counts.values()), 300)
        broadcast = await latest_broadcast()
        self.assertEqual((broadcast.status, broadcast.sent), ("cancelled", sum(counts.values())))
        self.assertIn("was cancelled", adam.screen.text)
        self.assertTrue(await sync_to_async(AuditEntry.objects.filter(action="cancel_broadcast").exists)())

    async def test_it_keeps_to_the_rate_limit(self):
        shop = await self.start_shop()
        await make_audience(shop.telegram, 50)
        await self.confirm_broadcast(shop)
        broadcast = await latest_broadcast()

        started = time.monotonic()
        with (
            mock.patch.object(broadcast_job, "MESSAGES_PER_SECOND", 20),
            mock.patch.object(broadcast_job, "PROGRESS_EVERY", 0.3),
        ):
            await broadcast_job.send_broadcast(shop.application, broadcast.pk)

        # 20 at once, then the other 30 at 20 per second.
        self.assertGreaterEqual(time.monotonic() - started, 1.2)
        self.assertEqual((await latest_broadcast()).sent, 50)
        live = [
            call
            for call in shop.telegram.calls_to("editMessageText")
            if "is being sent" in call.params["text"]
        ]
        self.assertGreaterEqual(len(live), 2)  # the live progress, with its Cancel button
        self.assertIn("Cancel the broadcast", str(live[-1].params["reply_markup"]))

    async def test_it_waits_out_retry_after_and_still_sends_once(self):
        shop = await self.start_shop(FloodTelegram(flooded=FIRST_ID + 3))
        ids = await make_audience(shop.telegram, 12)
        await self.confirm_broadcast(shop)
        broadcast = await latest_broadcast()

        started = time.monotonic()
        await broadcast_job.send_broadcast(shop.application, broadcast.pk)

        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        self.assertEqual(set(received(shop.telegram, ids).values()), {1})
        self.assertEqual(shop.telegram.floods, 1)
        self.assertEqual((await latest_broadcast()).sent, 12)


class ResumeTests(BroadcastJobTestCase):
    async def test_it_resumes_after_a_graceful_restart_with_one_message_each(self):
        shop = await self.start_shop()
        ids = await make_audience(shop.telegram, 300, blocked_every=25)
        await self.confirm_broadcast(shop)
        broadcast = await latest_broadcast()
        batches = iter(range(1000))

        with mock.patch.object(broadcast_job, "is_stopping", lambda application: next(batches) >= 3):
            await broadcast_job.send_broadcast(shop.application, broadcast.pk)
        self.assertEqual(
            sum(received(shop.telegram, ids).values()), 28
        )  # three batches; two of them blocked the bot
        await shop.restart()
        await run_scheduled(shop)

        counts = received(shop.telegram, ids)
        self.assertEqual({counts[telegram_id] for telegram_id in ids if telegram_id not in ids[::25]}, {1})
        broadcast = await latest_broadcast()
        self.assertEqual(
            (broadcast.status, broadcast.sent, broadcast.blocked, broadcast.unconfirmed),
            ("finished", 288, 12, 0),
        )

    async def test_it_resumes_after_a_crash_between_sending_and_recording(self):
        shop = await self.start_shop()
        ids = await make_audience(shop.telegram, 200)
        adam = await self.confirm_broadcast(shop)
        broadcast = await latest_broadcast()
        record = broadcasts.record_outcomes
        calls = iter(range(1000))

        def crash_on_the_fourth(**kwargs):
            if next(calls) == 3:
                raise Crash
            return record(**kwargs)

        with mock.patch.object(broadcasts, "record_outcomes", crash_on_the_fourth):
            with self.assertRaises(Crash):
                await broadcast_job.send_broadcast(shop.application, broadcast.pk)
        self.assertEqual(sum(received(shop.telegram, ids).values()), 40)  # the fourth batch went out
        await shop.restart()

        await run_scheduled(shop)  # the dead worker's lease still holds: nothing is sent yet
        self.assertEqual(sum(received(shop.telegram, ids).values()), 40)
        await sync_to_async(Broadcast.objects.update)(lease_expires=None)  # a minute later
        await run_scheduled(shop)

        self.assertEqual(set(received(shop.telegram, ids).values()), {1})
        broadcast = await latest_broadcast()
        self.assertEqual((broadcast.status, broadcast.sent, broadcast.unconfirmed), ("finished", 190, 10))
        self.assertEqual(await delivery_counts(broadcast.pk), {"sent": 190, "unconfirmed": 10})
        self.assertIn("Unconfirmed after a crash (not sent again): 10", adam.screen.text)

    async def test_it_cancels_a_resumed_broadcast_whose_author_lost_the_permission(self):
        editor = await make_admin(3005, "broadcast")
        shop = await self.start_shop()
        ids = await make_audience(shop.telegram, 20)
        await self.confirm_broadcast(shop, telegram_id=3005)
        await take_permissions(editor)
        await shop.restart()

        await run_scheduled(shop)

        self.assertEqual(sum(received(shop.telegram, ids).values()), 0)
        broadcast = await latest_broadcast()
        self.assertEqual((broadcast.status, broadcast.sent), ("cancelled", 0))
        denied = await sync_to_async(list)(
            AuditEntry.objects.filter(action="permission_denied").values_list("target", flat=True)
        )
        self.assertEqual(denied, ["resume_broadcast"])
