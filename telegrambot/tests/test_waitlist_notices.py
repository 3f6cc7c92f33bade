"""Back in stock: every way of adding stock tells the waiting customers once, through the broadcast job."""

import json
from unittest import mock

from asgiref.sync import sync_to_async

from accounts.models import Customer
from catalog.importing import import_catalog
from catalog.models import Product, StockUnit, WaitlistEntry
from catalog.services import add_stock, purchase_product
from catalog.services.delivery_files import FileSpec, add_file_stock, set_delivery_kind, set_shared_file
from shopbot.test import make_customer, make_product
from telegrambot import callbacks
from telegrambot.jobs import broadcast as broadcast_job
from telegrambot.models import Broadcast, BroadcastDelivery
from telegrambot.tests.helpers import BotTestCase, change_customer

NOTICE = "is back in stock"
NOTICE_RU = "снова в наличии"


async def run_job(shop, name: str) -> None:
    """Run one tick of a repeating job of the bot, as its JobQueue would."""
    (job,) = [job for job in shop.application.job_queue.jobs() if job.name == name]
    await job.callback(shop.application.context_types.context.from_job(job, shop.application))


async def send_queued(shop) -> None:
    """Run the broadcast jobs queued in the (not started) JobQueue, as the scheduler would."""
    for job in shop.application.job_queue.jobs():
        if job.name.startswith("broadcast:"):
            job.schedule_removal()
            await job.callback(shop.application.context_types.context.from_job(job, shop.application))


async def tell_waiting(shop) -> None:
    await run_job(shop, "waitlist_notices")
    await send_queued(shop)


def notices(shop, telegram_id: int, fragment: str = NOTICE) -> list:
    """The notices sent to a chat (counted as sent: pressing their button turns the message into the card)."""
    return [
        call
        for call in shop.telegram.calls_to("sendMessage")
        if int(call.params["chat_id"]) == telegram_id and fragment in call.params["text"]
    ]


class WaitlistNoticeTests(BotTestCase):
    def setUp(self) -> None:
        super().setUp()
        StockUnit.objects.filter(product=self.key).delete()  # sold out
        patcher = mock.patch.object(broadcast_job, "MESSAGES_PER_SECOND", 5000)
        patcher.start()
        self.addCleanup(patcher.stop)

    async def join(self, shop, telegram_id: int, *, language_code: str = "en"):
        user = await shop.user(telegram_id, language_code=language_code)
        await user.send("/start")
        await user.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        await user.press("🔔 Notify me")
        return user

    async def test_it_tells_each_waiting_customer_once_in_their_language_with_a_button_to_the_card(self):
        await Product.objects.filter(pk=self.key.pk).aupdate(
            name="Game <key> & co"
        )  # escaped, shown as typed
        shop = await self.start_shop()
        alice = await self.join(shop, self.alice.telegram_id)
        await self.join(shop, self.bob.telegram_id, language_code="ru")
        await change_customer(self.bob.pk, language="ru")
        carol = await self.join(shop, 1003)
        await carol.press("🔕 Stop notifying")  # left the waitlist again
        await self.join(shop, 1004)
        await change_customer((await Customer.objects.aget(telegram_id=1004)).pk, is_blocked=True)

        await sync_to_async(add_stock)(actor=self.owner, product_id=self.key.pk, values=["NEW-1", "NEW-2"])
        await tell_waiting(shop)

        self.assertEqual(len(notices(shop, self.alice.telegram_id)), 1)
        (notice,) = [
            message
            for message in shop.telegram.bot_messages(self.alice.telegram_id)
            if NOTICE in message.text
        ]
        self.assertEqual(notice.text, "🔔 Game <key> & co is back in stock.\n\n💰 Price: 9.99 RUB")
        self.assertEqual(len(notices(shop, self.bob.telegram_id, NOTICE_RU)), 1)
        self.assertEqual((notices(shop, 1003), notices(shop, 1004)), ([], []))
        broadcast = await Broadcast.objects.aget(audience=Broadcast.Audience.WAITLIST)
        self.assertEqual((broadcast.status, broadcast.total, broadcast.sent), ("finished", 2, 2))
        self.assertIsNone(broadcast.author_id)
        self.assertEqual(await WaitlistEntry.objects.filter(notified_at__isnull=False).acount(), 3)

        await alice.press("🛍 Open the product")
        self.assertIn("Game <key> & co", alice.screen.text)
        self.assertIn("💰 Buy", alice.screen.labels)

        # Told once: later ticks and a second restock send nothing more.
        await tell_waiting(shop)
        await sync_to_async(add_stock)(actor=self.owner, product_id=self.key.pk, values=["NEW-3"])
        await tell_waiting(shop)
        self.assertEqual(len(notices(shop, self.alice.telegram_id)), 1)
        self.assertEqual(await Broadcast.objects.acount(), 1)

    async def test_every_way_of_adding_stock_tells_the_waiting_customer_once(self):
        ebook = await sync_to_async(make_product)(
            self.games, "E-book", "3.00", delivery=Product.DeliveryKind.FILE
        )
        config = await sync_to_async(make_product)(self.games, "Config", "2.00")
        await sync_to_async(set_delivery_kind)(
            actor=self.owner, product_id=config.pk, kind=Product.DeliveryKind.SHARED_FILE
        )
        catalog = {
            "categories": [
                {"name": "Games", "products": [{"name": "Game key", "price": "9.99", "stock": ["IMP-1"]}]}
            ]
        }
        ways = {
            self.key: lambda: import_catalog(text=json.dumps(catalog)),
            ebook: lambda: add_file_stock(
                actor=self.owner, product_id=ebook.pk, files=[FileSpec("a.pdf", 10, file_id="f1")]
            ),
            config: lambda: set_shared_file(
                actor=self.owner, product_id=config.pk, file=FileSpec("c.conf", 10, file_id="f2")
            ),
        }
        shop = await self.start_shop()
        for number, (product, add) in enumerate(ways.items()):
            telegram_id = 1101 + number
            user = await shop.user(telegram_id)
            await user.send("/start")
            # Joined as the card's Notify me does (a shared file without its file is not sold out on the card).
            customer = await Customer.objects.aget(telegram_id=telegram_id)
            await WaitlistEntry.objects.acreate(customer=customer, product=product)

            await sync_to_async(add)()
            await tell_waiting(shop)
            await tell_waiting(shop)

            (notice,) = notices(shop, telegram_id)
            self.assertIn(product.name, notice.params["text"], msg=product.name)
        self.assertEqual(await Broadcast.objects.acount(), 3)

    async def test_a_restart_sends_a_queued_notice_once_and_never_a_settled_one_again(self):
        shop = await self.start_shop()
        await self.join(shop, self.alice.telegram_id)
        await self.join(shop, self.bob.telegram_id)
        await sync_to_async(add_stock)(actor=self.owner, product_id=self.key.pk, values=["NEW-1"])

        await run_job(shop, "waitlist_notices")  # queued; the worker stops before sending
        await shop.restart()
        await send_queued(shop)
        await shop.restart()
        await send_queued(shop)
        await tell_waiting(shop)

        self.assertEqual(len(notices(shop, self.alice.telegram_id)), 1)
        self.assertEqual(len(notices(shop, self.bob.telegram_id)), 1)
        statuses = [status async for status in BroadcastDelivery.objects.values_list("status", flat=True)]
        self.assertEqual(statuses, ["sent", "sent"])

    async def test_stock_gone_before_the_notice_keeps_the_customers_waiting(self):
        shop = await self.start_shop()
        await self.join(shop, self.bob.telegram_id)
        await sync_to_async(add_stock)(actor=self.owner, product_id=self.key.pk, values=["NEW-1"])
        await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)

        await tell_waiting(shop)

        self.assertEqual(notices(shop, self.bob.telegram_id), [])
        entry = await WaitlistEntry.objects.aget()
        self.assertEqual((entry.restocked_at, entry.notified_at), (None, None))  # waiting again

        await sync_to_async(add_stock)(actor=self.owner, product_id=self.key.pk, values=["NEW-2"])
        await tell_waiting(shop)
        self.assertEqual(len(notices(shop, self.bob.telegram_id)), 1)

    async def test_a_hidden_product_tells_nobody_and_a_customer_who_blocked_the_bot_is_marked(self):
        shop = await self.start_shop()
        await self.join(shop, self.alice.telegram_id)
        bob = await self.join(shop, self.bob.telegram_id)
        await bob.block_bot()
        await sync_to_async(add_stock)(actor=self.owner, product_id=self.key.pk, values=["NEW-1"])
        await tell_waiting(shop)
        self.assertEqual(len(notices(shop, self.alice.telegram_id)), 1)

        await sync_to_async(make_customer)(1005)
        await Product.objects.filter(pk=self.key.pk).aupdate(is_active=False)
        await WaitlistEntry.objects.filter(customer__telegram_id=self.alice.telegram_id).aupdate(
            restocked_at=None, notified_at=None
        )
        await sync_to_async(add_stock)(actor=self.owner, product_id=self.key.pk, values=["NEW-2"])
        await tell_waiting(shop)
        self.assertEqual(len(notices(shop, self.alice.telegram_id)), 1)
        self.assertEqual(await Broadcast.objects.acount(), 1)
