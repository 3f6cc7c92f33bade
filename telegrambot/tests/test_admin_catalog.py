"""The admin's catalog in the bot: categories and products, as allowed admins and as everyone else."""

from asgiref.sync import sync_to_async

from catalog.models import Category, Product, StockUnit
from shopbot.test import row_counts
from telegrambot import callbacks
from telegrambot.models import DialogState
from telegrambot.tests.admin_support import AdminTestCase
from telegrambot.tests.helpers import change_customer


class CategoryTests(AdminTestCase):
    async def open_catalog(self, customer):
        user = await self.chat(customer)
        await user.send("/admin")
        await user.press("🗂 Catalog")
        return user

    async def test_it_creates_renames_and_reorders_categories(self):
        adam = await self.open_catalog(self.admin)
        await adam.press("➕ New category")
        self.assertIn("category name", adam.screen.text)
        await adam.send("<b>Films</b> & series")
        self.assertIn("<b>Films</b> & series", adam.screen.text)  # shown as typed, escaped
        films = await Category.objects.aget(name="<b>Films</b> & series")
        self.assertEqual(films.position, 2)

        await adam.press("✏️ Rename")
        await adam.send("games")  # taken, ignoring case
        self.assertIn("already used", adam.screen.text)
        await adam.send("Films")
        await adam.press("⬆️ Up")
        await films.arefresh_from_db()
        self.assertEqual(films.name, "Films")
        names = [category.name async for category in Category.objects.order_by("position")]
        self.assertEqual(names, ["Films", "Games"])

    async def test_it_hides_and_shows_a_category(self):
        adam = await self.open_catalog(self.admin)
        await adam.press("Games")
        await adam.press("🙈 Hide")
        self.assertIn("hidden from the shop", adam.screen.text)
        self.assertFalse((await Category.objects.aget(pk=self.games.pk)).is_active)
        await adam.press("👁 Show")
        self.assertTrue((await Category.objects.aget(pk=self.games.pk)).is_active)

    async def test_it_says_what_goes_with_a_deleted_category(self):
        adam = await self.open_catalog(self.admin)
        await adam.press("Games")
        await adam.press("🗑 Delete")
        self.assertIn("2 products and 2 unsold units", adam.screen.text)
        await adam.press("✖️ No")
        self.assertTrue(await Category.objects.filter(pk=self.games.pk).aexists())

        await adam.press("🗑 Delete")
        await adam.press("🗑 Yes, delete")
        self.assertIn("Deleted, with 2 products and 2 unsold units", adam.screen.text)
        self.assertFalse(await Category.objects.filter(pk=self.games.pk).aexists())
        self.assertEqual(await self.audits("delete_category", self.admin), 1)

    async def test_it_refuses_an_admin_without_manage_catalog(self):
        carl = await self.chat(self.carl)  # may manage stock only
        before = await sync_to_async(row_counts)(Category, Product, StockUnit)
        for data in [
            callbacks.ADMIN_CATEGORIES.build(1),
            callbacks.ADMIN_CATEGORY_ADD.build(),
            callbacks.ADMIN_CATEGORY_RENAME.build(self.games.pk),
            callbacks.ADMIN_CATEGORY_SHOW.build(self.games.pk, "off"),
            callbacks.ADMIN_CATEGORY_MOVE.build(self.games.pk, "down"),
            callbacks.ADMIN_CATEGORY_DELETE_YES.build(self.games.pk),
            callbacks.ADMIN_PRODUCT_ADD.build(self.games.pk),
            callbacks.ADMIN_PRODUCT_EDIT.build(self.key.pk, "name"),
            callbacks.ADMIN_PRODUCT_SHOW.build(self.key.pk, "off"),
            callbacks.ADMIN_PRODUCT_DELETE_YES.build(self.key.pk),
            callbacks.ADMIN_DRAFT_CATEGORY.build(self.games.pk),
            callbacks.ADMIN_DRAFT_KIND.build("unlimited"),
        ]:
            await self.refused(carl, data, self.carl)
        self.assertEqual(await sync_to_async(row_counts)(Category, Product, StockUnit), before)

    async def test_it_refuses_a_typed_answer_once_the_permission_is_gone(self):
        adam = await self.open_catalog(self.admin)
        await adam.press("➕ New category")
        await change_customer(self.admin.pk, role=None)

        await adam.send("Films")
        self.assertIn("not allowed", adam.screen.text)
        self.assertFalse(await Category.objects.filter(name="Films").aexists())
        self.assertEqual(await self.audits("permission_denied", self.admin), 1)


class ProductFormTests(AdminTestCase):
    async def start_form(self):
        adam = await self.chat(self.admin)
        await adam.send("/admin")
        await adam.press("🗂 Catalog")
        await adam.press("Games")
        await adam.press("➕ New product")
        return adam

    async def test_it_creates_a_product_refusing_bad_answers_at_every_step(self):
        adam = await self.start_form()
        self.assertIn("step 1 of 5", adam.screen.text)
        for bad in ("   ", "x" * 101, "game KEY"):  # empty, too long, taken in the category
            await adam.send(bad)
            self.assertTrue(adam.screen.text.startswith("⚠️"), bad)
        await adam.send("<i>Racing</i> & key")
        self.assertIn("step 2 of 5", adam.screen.text)

        await adam.send("d" * 3001)
        self.assertIn("at most 3000", adam.screen.text)
        await adam.press("⏭ Skip")  # edits the question above the refusal
        self.assertIn("step 3 of 5", adam.keyboard_message().text)

        for bad in ("abc", "-5", "0", "1.999", "1e3", "NaN", "99999999999"):
            await adam.send(bad)
            self.assertTrue(adam.screen.text.startswith("⚠️"), bad)
        await adam.send("12.50")
        self.assertIn("step 4 of 5", adam.screen.text)

        await adam.send("http://example.com/picture.png")  # https only
        self.assertTrue(adam.screen.text.startswith("⚠️"))
        from telegrambot.tests.admin_support import PHOTO_ID, send_document, send_photo

        await send_document(adam, b"not a photo", "photo.txt")
        self.assertIn("Send a photo", adam.screen.text)
        await send_photo(adam)
        self.assertIn("step 5 of 5", adam.screen.text)
        await adam.send("stock please")  # a button question
        self.assertIn("Choose with the buttons", adam.screen.text)
        await adam.press("📦 Units from stock")

        product = await Product.objects.aget(name="<i>Racing</i> & key")
        self.assertEqual((str(product.price), product.image, product.description), ("12.50", PHOTO_ID, ""))
        self.assertFalse(product.is_unlimited)
        self.assertIn("<i>Racing</i> & key", adam.screen.text)
        self.assertFalse(await DialogState.objects.filter(telegram_id=self.admin.telegram_id).aexists())
        self.assertEqual(await self.audits("save_product", self.admin), 1)

    async def test_it_creates_an_unlimited_product(self):
        adam = await self.start_form()
        await adam.send("Gift card")
        await adam.send("A card for a friend")
        await adam.send("25")
        await adam.press("⏭ Skip")
        await adam.press("♾ Unlimited")
        self.assertIn("step 6 of 6", adam.screen.text)
        await adam.send("   ")
        self.assertIn("needs the value", adam.screen.text)
        await adam.send("https://example.com/redeem")

        product = await Product.objects.aget(name="Gift card")
        self.assertEqual(
            (product.is_unlimited, product.unlimited_value), (True, "https://example.com/redeem")
        )

    async def test_it_leaves_nothing_when_cancelled(self):
        before = await sync_to_async(row_counts)(Product)
        adam = await self.start_form()
        await adam.send("Half made")
        await adam.send("Its description")
        await adam.press("✖️ Cancel")
        self.assertIn("Choose a section", adam.screen.text)

        await adam.send("10")  # no longer an answer to anything
        self.assertIn("did not understand", adam.screen.text)
        await adam.press_data(callbacks.ADMIN_DRAFT_KIND.build("stock"))
        self.assertIn("step is over", adam.alert)
        self.assertEqual(await sync_to_async(row_counts)(Product), before)

    async def test_it_refuses_the_last_step_once_the_permission_is_gone(self):
        adam = await self.start_form()
        for answer in ("Late key", "Text", "10"):
            await adam.send(answer)
        await adam.press("⏭ Skip")
        await Product.objects.none().acount()  # keeps the event loop honest
        await change_customer(self.admin.pk, role=None)

        await adam.press("📦 Units from stock")
        self.assertIn("not allowed", adam.alert)
        self.assertFalse(await Product.objects.filter(name="Late key").aexists())
        self.assertEqual(await self.audits("permission_denied", self.admin), 1)


class ProductScreenTests(AdminTestCase):
    async def open_product(self, name="Game key"):
        adam = await self.chat(self.admin)
        await adam.send("/admin")
        await adam.press("🗂 Catalog")
        await adam.press("Games")
        await adam.press(name)
        return adam

    async def test_it_edits_one_field_at_a_time(self):
        adam = await self.open_product()
        self.assertIn("2 units in stock", adam.screen.text)
        await adam.press("✏️ Price")
        await adam.send("0.001")
        self.assertTrue(adam.screen.text.startswith("⚠️"))
        await adam.send("7.77")
        self.assertIn("Price: 7.77", adam.screen.text)

        films = await Category.objects.acreate(name="Films", position=2)
        await adam.press("✏️ Category")
        await adam.press("Films")
        product = await Product.objects.aget(pk=self.key.pk)
        self.assertEqual(
            (str(product.price), product.category_id, product.name), ("7.77", films.pk, "Game key")
        )

        await adam.press("✏️ Type")
        await adam.press("♾ Unlimited")
        await adam.send("SHARED-KEY")
        product = await Product.objects.aget(pk=self.key.pk)
        self.assertEqual((product.is_unlimited, product.unlimited_value), (True, "SHARED-KEY"))

    async def test_it_hides_and_deletes_a_product_with_a_confirmation(self):
        adam = await self.open_product()
        await adam.press("🙈 Hide")
        self.assertIn("In the shop: hidden", adam.screen.text)
        await adam.press("🗑 Delete")
        self.assertIn("2 unsold units", adam.screen.text)
        await adam.press("🗑 Yes, delete")
        self.assertIn("Deleted, with 2 unsold units", adam.screen.text)
        self.assertFalse(await Product.objects.filter(pk=self.key.pk).aexists())
