"""Files as stock in the admin menu: switching a product to files, documents as units, the shared file."""

from asgiref.sync import sync_to_async

from catalog.models import DeliveryFile, Product, StockUnit, WaitlistEntry
from catalog.services.delivery_files import FILE_MAX_BYTES
from shopbot.test import make_product
from telegrambot import callbacks
from telegrambot.tests.admin_support import AdminTestCase, send_document, send_photo

Kind = Product.DeliveryKind


class FileStockTests(AdminTestCase):
    async def open_product(self, name, customer=None):
        user = await self.chat(customer or self.carl)
        await user.send("/admin")
        await user.press("📦 Stock")
        await user.press("Games")
        await user.press(name)
        return user

    async def file_units(self, product):
        units = StockUnit.objects.filter(product=product, sold_at__isnull=True).order_by("id")
        return [unit.file.name async for unit in units.select_related("file")]

    async def test_an_admin_switches_a_product_to_files_and_sends_documents_as_units(self):
        ebook = await sync_to_async(make_product)(self.games, "E-book", "3.00")
        await sync_to_async(WaitlistEntry.objects.create)(customer=self.alice, product=ebook)
        carl = await self.open_product("E-book")
        self.assertIn("Waiting to be told it is back: 1", carl.screen.text)

        await carl.press("📎 Deliver files instead")
        self.assertIn("Delivery: Files as stock units", carl.screen.text)
        await carl.press("📎 Add files")
        await send_document(carl, b"%PDF-1", "one.pdf")
        self.assertIn("Added one.pdf. Unsold units: 1", carl.latest_bot_message().text)
        await send_document(carl, b"%PDF-2", "two.pdf")

        self.assertEqual(await self.file_units(ebook), ["one.pdf", "two.pdf"])
        entry = await WaitlistEntry.objects.aget()
        self.assertIsNotNone(entry.restocked_at)  # the waitlist was released by the upload

    async def test_a_document_over_50_mb_a_photo_and_hostile_text_are_refused(self):
        ebook = await sync_to_async(make_product)(self.games, "E-book", "3.00", delivery=Kind.FILE)
        carl = await self.open_product("E-book")
        await carl.press("📎 Add files")

        await send_document(carl, b"x", "huge.iso", size=FILE_MAX_BYTES + 1)
        self.assertIn("larger than 50 MB", carl.latest_bot_message().text)
        await send_photo(carl)
        self.assertIn("Send the file as a document", carl.latest_bot_message().text)
        await carl.send("<b>" + "x" * 5000)
        self.assertIn("Send the file as a document", carl.latest_bot_message().text)

        self.assertEqual(await self.file_units(ebook), [])
        self.assertEqual(await DeliveryFile.objects.acount(), 0)

    async def test_an_admin_sends_the_shared_file(self):
        config = await sync_to_async(make_product)(self.games, "Config", "2.00")
        carl = await self.open_product("Config")
        await carl.press("📎 Deliver files instead")  # text units -> file units
        await carl.press("📝 Deliver text units instead")
        self.assertIn("Delivery: Stock units", carl.screen.text)
        await carl.press_data(callbacks.ADMIN_STOCK_KIND.build(config.pk, "shared_file"))
        self.assertIn("not sent yet", carl.screen.text)

        await carl.press("📎 Send the shared file")
        await send_document(carl, b"conf", "vpn.conf", size=FILE_MAX_BYTES + 1)
        self.assertIn("larger than 50 MB", carl.latest_bot_message().text)
        await send_document(carl, b"conf", "vpn.conf")

        self.assertIn("Every buyer now receives vpn.conf", carl.latest_bot_message().text)
        config = await Product.objects.select_related("shared_file").aget(pk=config.pk)
        self.assertEqual((config.delivery, config.shared_file.name), (Kind.SHARED_FILE, "vpn.conf"))

    async def test_forged_kind_and_product_data_change_nothing(self):
        carl = await self.open_product("Game key")

        await carl.press_data(callbacks.ADMIN_STOCK_KIND.build(self.key.pk, "file"))
        self.assertIn("Remove the unsold units first", carl.alert or carl.latest_bot_message().text)
        for forged in ("admskk:1:bogus", "admskf:" + "9" * 30, "admskk:-1:file"):
            await carl.press_data(forged, strict=False)
        self.assertEqual((await Product.objects.aget(pk=self.key.pk)).delivery, Kind.STOCK)

    async def test_staff_without_manage_stock_cannot_switch_or_upload(self):
        bob = await self.chat(self.bob)
        await bob.press_data(callbacks.ADMIN_STOCK_KIND.build(self.key.pk, "shared"), strict=False)
        await bob.press_data(callbacks.ADMIN_STOCK_SHARED_FILE.build(self.gift.pk), strict=False)

        self.assertEqual((await Product.objects.aget(pk=self.key.pk)).delivery, Kind.STOCK)
        self.assertEqual(await DeliveryFile.objects.acount(), 0)
