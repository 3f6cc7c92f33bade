"""The admin menu: what each admin sees, refusals for everyone else, the fallback of unbuilt sections."""

from asgiref.sync import sync_to_async

from telegrambot import callbacks
from telegrambot.tests.admin_support import AdminTestCase


class AdminMenuTests(AdminTestCase):
    async def test_it_shows_the_owner_every_section(self):
        olga = await self.chat(self.owner)
        await olga.press("🛠 Admin")

        labels = olga.screen.labels
        for label in (
            "🗂 Catalog",
            "📦 Stock",
            "👥 Users",
            "🔎 Find an order",
            "🛡 Roles",
            "🎟 Promo codes",
            "📣 Broadcast",
            "📊 Statistics",
            "📜 Audit log",
            "🔧 Maintenance",
            "🌐 Web admin link",
        ):
            self.assertIn(label, labels)

    async def test_it_shows_an_admin_only_what_the_role_allows(self):
        adam = await self.chat(self.admin)
        await adam.send("/admin")
        self.assertNotIn("🛡 Roles", adam.screen.labels)  # the Admin role cannot manage roles
        self.assertIn("🗂 Catalog", adam.screen.labels)

        carl = await self.chat(self.carl)
        await carl.send("/admin")
        self.assertEqual(carl.screen.labels, ["📦 Stock", "🌐 Web admin link", "🔔 Notifications", "🏠 Menu"])

    async def test_it_refuses_a_customer_and_audits_it(self):
        alice = await self.chat(self.alice)
        self.assertNotIn("🛠 Admin", " ".join(alice.screen.labels))

        await alice.send("/admin")
        self.assertIn("not allowed", alice.screen.text)
        await self.refused(alice, callbacks.ADMIN_PANEL.build(), self.alice)
        self.assertEqual(await self.audits("permission_denied", self.alice), 2)

    async def test_it_refuses_every_admin_route_to_a_customer(self):
        alice = await self.chat(self.alice)
        forged = [
            callbacks.ADMIN_CATEGORIES.build(1),
            callbacks.ADMIN_CATEGORY.build(self.games.pk, 1),
            callbacks.ADMIN_CATEGORY_ADD.build(),
            callbacks.ADMIN_CATEGORY_MOVE.build(self.games.pk, "up"),
            callbacks.ADMIN_CATEGORY_SHOW.build(self.games.pk, "off"),
            callbacks.ADMIN_CATEGORY_DELETE.build(self.games.pk),
            callbacks.ADMIN_CATEGORY_DELETE_YES.build(self.games.pk),
            callbacks.ADMIN_PRODUCT.build(self.key.pk),
            callbacks.ADMIN_PRODUCT_ADD.build(self.games.pk),
            callbacks.ADMIN_PRODUCT_EDIT.build(self.key.pk, "price"),
            callbacks.ADMIN_PRODUCT_SHOW.build(self.key.pk, "off"),
            callbacks.ADMIN_PRODUCT_DELETE_YES.build(self.key.pk),
            callbacks.ADMIN_DRAFT_SKIP.build(),
            callbacks.ADMIN_DRAFT_KIND.build("stock"),
            callbacks.ADMIN_STOCK.build(1),
            callbacks.ADMIN_STOCK_PRODUCT.build(self.key.pk),
            callbacks.ADMIN_STOCK_ADD.build(self.key.pk),
            callbacks.ADMIN_STOCK_CONFIRM.build(self.key.pk),
            callbacks.ADMIN_STOCK_UNITS.build(self.key.pk, 1),
            callbacks.ADMIN_STOCK_THRESHOLD.build(self.key.pk),
            callbacks.ADMIN_STOCK_ANNOUNCE.build(self.key.pk),
            callbacks.ADMIN_ORDER_LOOKUP.build(),
            callbacks.ADMIN_USERS.build(),
            callbacks.ADMIN_USER.build(self.bob.telegram_id),
            callbacks.ADMIN_USER_BALANCE.build(self.alice.telegram_id, "credit"),
            callbacks.ADMIN_USER_BLOCK.build(self.bob.telegram_id, "on"),
            callbacks.ADMIN_USER_SET_ROLE.build(self.alice.telegram_id, 1),
            callbacks.ADMIN_ROLES.build(),
            callbacks.ADMIN_ROLE_ADD.build(),
            callbacks.ADMIN_ROLE_TOGGLE.build("manage_roles"),
            callbacks.ADMIN_ROLE_SAVE.build(),
            callbacks.ADMIN_ROLE_DELETE_YES.build(1),
            callbacks.ADMIN_SIGN_IN.build(),
        ]
        for data in forged:
            await self.refused(alice, data, self.alice)

        await sync_to_async(self.alice.refresh_from_db)()
        self.assertIsNone(self.alice.role_id)
        await sync_to_async(self.games.refresh_from_db)()
        self.assertTrue(self.games.is_active)

    async def test_it_says_unbuilt_sections_are_not_available_yet(self):
        olga = await self.chat(self.owner)
        await olga.send("/admin")
        for label in ("🎟 Promo codes", "📣 Broadcast", "📜 Audit log"):
            await olga.send("/admin")
            answer = await olga.press(label)
            if answer and answer.get("show_alert"):
                self.assertIn("not available yet", answer["text"])
