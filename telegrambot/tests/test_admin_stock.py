"""Stock in the admin menu: uploads pasted or from files with a preview, units, thresholds, alerts."""

from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.test import override_settings
from django.utils.timezone import now

from catalog.models import Product, StockUnit
from catalog.services.staged_uploads import staged_key
from telegrambot import callbacks
from telegrambot.jobs.stock_alerts import notify_low_stock
from telegrambot.tests.admin_support import AdminTestCase, send_document
from telegrambot.tests.helpers import change_customer


class StockUploadTests(AdminTestCase):
    async def open_upload(self, customer=None):
        user = await self.chat(customer or self.carl)
        await user.send("/admin")
        await user.press("📦 Stock")
        await user.press("Games")
        await user.press("Game key")
        self.assertIn("Unsold units: 2", user.screen.text)
        await user.press("➕ Add units")
        return user

    async def unsold(self):
        return [
            unit.value
            async for unit in StockUnit.objects.filter(product=self.key, sold_at__isnull=True).order_by("id")
        ]

    async def test_it_previews_pasted_units_then_adds_them(self):
        carl = await self.open_upload()
        await carl.send("NEW-1\nNEW-1\n\n  AAA-111  \nNEW-2")
        for line in ("New units: 2", "Repeated in this upload: 1", "Already in stock: 1", "Empty lines: 1"):
            self.assertIn(line, carl.screen.text)
        self.assertEqual(len(await self.unsold()), 2)  # a preview writes nothing

        await carl.press("✅ Add 2 units")
        self.assertIn("Added 2 units", carl.screen.text)
        self.assertEqual(await self.unsold(), ["AAA-111", "BBB-222", "NEW-1", "NEW-2"])
        self.assertEqual(await self.audits("add_stock", self.carl), 1)

        await carl.press_data(callbacks.ADMIN_STOCK_CONFIRM.build(self.key.pk))  # pressed again
        self.assertIn("expired", carl.alert)
        self.assertEqual(len(await self.unsold()), 4)

    @override_settings(STOCK_UPLOAD_SECONDS=120)
    async def test_it_stages_the_preview_as_the_web_admin_does(self):
        carl = await self.open_upload()
        await carl.send("NEW-1\nNEW-2")

        key = staged_key(actor=self.carl, product_id=self.key.pk)
        self.assertEqual(await cache.aget(key), ["NEW-1", "NEW-2"])
        self.assertTrue(0 < await sync_to_async(cache.ttl)(key) <= 120)  # STOCK_UPLOAD_SECONDS, not its own

    async def test_it_reads_a_text_file_with_a_bom_duplicates_and_empty_lines(self):
        carl = await self.open_upload()
        content = "\ufeffFILE-1\r\nFILE-2\r\n\r\nFILE-1\r\nBBB-222\r\n   \r\nкод-3\r\n".encode()
        await send_document(carl, content, "keys.txt")
        for line in ("New units: 3", "Repeated in this upload: 1", "Already in stock: 1", "Empty lines: 2"):
            self.assertIn(line, carl.screen.text)
        await carl.press("✅ Add 3 units")
        self.assertEqual(await self.unsold(), ["AAA-111", "BBB-222", "FILE-1", "FILE-2", "код-3"])

    async def test_it_takes_the_first_column_of_a_csv_file(self):
        carl = await self.open_upload()
        await send_document(carl, b'CSV-1,note\n"CSV-2,with comma",x\nCSV-1,again\n', "keys.csv")
        self.assertIn("New units: 2", carl.screen.text)
        await carl.press("✅ Add 2 units")
        self.assertIn("CSV-2,with comma", await self.unsold())

    async def test_it_shows_progress_on_a_large_file(self):
        carl = await self.open_upload()
        lines = "\n".join(f"BULK-{number:06d}" for number in range(30_000)).encode()
        await send_document(carl, lines, "bulk.txt")
        self.assertIn("New units: 30000", carl.screen.text)
        self.assertIn("Reading the file", carl.telegram.calls_to("sendMessage")[-1].params["text"])
        await carl.press("✅ Add 30000 units")
        self.assertIn("Added 30000 units", carl.screen.text)
        self.assertEqual(await StockUnit.objects.filter(product=self.key).acount(), 30_002)

    async def test_it_refuses_binary_foreign_and_oversized_files(self):
        carl = await self.open_upload()
        await send_document(carl, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "keys.txt")
        self.assertIn("not a text file", carl.screen.text)
        await send_document(carl, "ключ".encode("cp1251"), "keys.txt")
        self.assertIn("not UTF-8", carl.screen.text)
        await send_document(carl, b"KEY", "keys.exe")
        self.assertIn(".txt or .csv", carl.screen.text)
        downloads = len(carl.telegram.calls_to("getFile"))
        await send_document(carl, b"KEY", "huge.txt", size=6 * 1024 * 1024)
        self.assertIn("larger than 5 MB", carl.screen.text)
        self.assertEqual(len(carl.telegram.calls_to("getFile")), downloads)  # refused before downloading
        self.assertEqual(len(await self.unsold()), 2)

    async def test_it_refuses_stock_for_an_unlimited_product(self):
        carl = await self.chat(self.carl)
        await carl.press_data(callbacks.ADMIN_STOCK_ADD.build(self.gift.pk))
        await carl.send("X-1")
        self.assertIn("unlimited", carl.screen.text)
        self.assertFalse(await StockUnit.objects.filter(product=self.gift).aexists())

    async def test_it_refuses_an_upload_confirmed_after_the_permission_is_gone(self):
        carl = await self.open_upload()
        await carl.send("LATE-1")
        await change_customer(self.carl.pk, role=None)

        await carl.press("✅ Add 1 units")
        self.assertIn("not allowed", carl.alert)
        await carl.send("LATE-2")  # a typed answer to the same prompt
        self.assertIn("not allowed", carl.screen.text)
        self.assertEqual(len(await self.unsold()), 2)
        self.assertEqual(await self.audits("permission_denied", self.carl), 2)

    async def test_it_refuses_customers_and_catalog_only_admins(self):
        alice = await self.chat(self.alice)
        for data in (
            callbacks.ADMIN_STOCK.build(1),
            callbacks.ADMIN_STOCK_ADD.build(self.key.pk),
            callbacks.ADMIN_STOCK_CONFIRM.build(self.key.pk),
            callbacks.ADMIN_STOCK_UNITS.build(self.key.pk, 1),
            callbacks.ADMIN_STOCK_UNIT_DELETE.build(1, 1),
            callbacks.ADMIN_STOCK_THRESHOLD.build(self.key.pk),
        ):
            await self.refused(alice, data, self.alice)
        self.assertEqual(len(await self.unsold()), 2)


class StockUnitTests(AdminTestCase):
    async def open_product(self):
        carl = await self.chat(self.carl)
        await carl.press_data(callbacks.ADMIN_STOCK_PRODUCT.build(self.key.pk))
        return carl

    async def test_it_pages_units_and_deletes_one(self):
        await StockUnit.objects.abulk_create(
            StockUnit(product=self.key, value=f"K-{n:02d}") for n in range(12)
        )
        carl = await self.open_product()
        await carl.press("📋 Units")
        self.assertEqual(len([label for label in carl.screen.labels if label.startswith("#")]), 10)
        await carl.press("▶️")
        self.assertIn("Page 2", carl.screen.text)
        unit = await StockUnit.objects.aget(value="K-11")
        await carl.press(f"#{unit.pk} ")
        self.assertIn("K-11", carl.screen.text)
        await carl.press("🗑 Delete this unit")
        self.assertFalse(await StockUnit.objects.filter(pk=unit.pk).aexists())
        self.assertIn("Page 2", carl.screen.text)
        self.assertEqual(await self.audits("delete_stock_unit", self.carl), 1)

    async def test_it_escapes_a_unit_value(self):
        await StockUnit.objects.acreate(product=self.key, value="<b>&key</b>")
        unit = await StockUnit.objects.aget(value="<b>&key</b>")
        carl = await self.open_product()
        await carl.press_data(callbacks.ADMIN_STOCK_UNIT.build(unit.pk, 1))
        self.assertIn("<code>&lt;b&gt;&amp;key&lt;/b&gt;</code>", carl.screen.html)

    async def test_it_does_not_show_a_sold_unit_through_a_forged_button(self):
        await StockUnit.objects.acreate(product=self.key, value="CUSTOMERS-KEY", sold_at=now())
        unit = await StockUnit.objects.aget(value="CUSTOMERS-KEY")
        carl = await self.open_product()

        await carl.press_data(callbacks.ADMIN_STOCK_UNIT.build(unit.pk, 1))

        self.assertNotIn("CUSTOMERS-KEY", carl.screen.html + (carl.alert or ""))

    async def test_it_sets_the_low_stock_threshold(self):
        carl = await self.open_product()
        await carl.press("🔔 Low-stock alert")
        for bad in ("many", "-1", "1.5", "99999999"):
            await carl.send(bad)
            self.assertIn("whole number", carl.screen.text)
        await carl.send("5")
        self.assertIn("Low-stock alert at: 5", carl.screen.text)
        self.assertEqual((await Product.objects.aget(pk=self.key.pk)).low_stock_threshold, 5)


class LowStockAlertTests(AdminTestCase):
    async def test_it_alerts_stock_managers_once_until_stock_is_added(self):
        await Product.objects.filter(pk=self.key.pk).aupdate(low_stock_threshold=3)
        shop = await self.start_shop()
        users = {
            customer.telegram_id: await shop.user(customer.telegram_id)
            for customer in (self.owner, self.admin, self.carl, self.alice)
        }

        await notify_low_stock(shop.application.bot, [self.key.pk, self.gift.pk])
        await notify_low_stock(shop.application.bot, [self.key.pk])  # already alerted

        for telegram_id, user in users.items():
            alerts = [message for message in user.messages if "running low" in message.text]
            self.assertEqual(len(alerts), 0 if telegram_id == self.alice.telegram_id else 1, telegram_id)

    async def test_it_alerts_when_a_customer_buys_the_stock_down_to_the_threshold(self):
        await Product.objects.filter(pk=self.key.pk).aupdate(low_stock_threshold=1)
        shop = await self.start_shop()
        owner, _admin, _carl = [await shop.user(c.telegram_id) for c in (self.owner, self.admin, self.carl)]
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")

        await alice.press_data(callbacks.BUY.build(self.key.pk))
        await alice.press("✅ Pay 9.99 RUB")

        self.assertIn("AAA-111", alice.screen.text)
        alerts = [message for message in owner.messages if "running low" in message.text]
        self.assertEqual(len(alerts), 1)
        self.assertFalse([message for message in alice.messages if "running low" in message.text])

    @override_settings(CHANNEL_ID="-1001234")
    async def test_it_posts_new_stock_to_the_channel(self):
        carl = await self.chat(self.carl)
        carl.telegram.add_user({"id": -1001234, "is_bot": False, "first_name": "Channel"})
        await carl.press_data(callbacks.ADMIN_STOCK_ADD.build(self.key.pk))
        await carl.send("CH-1")
        await carl.press("✅ Add 1 units")
        await carl.press("📢 Post to the channel")
        posts = carl.telegram.bot_messages(-1001234)
        self.assertEqual(len(posts), 1)
        self.assertIn("New in stock: Game key", posts[0].text)
