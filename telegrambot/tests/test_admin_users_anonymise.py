"""Anonymising a customer from the admin menu's user screen, and who may not."""

from accounts.models import AuditEntry, Customer
from shopbot.test import OWNER_ID
from telegrambot import callbacks
from telegrambot.tests.admin_support import AdminTestCase


class AnonymiseTests(AdminTestCase):
    async def test_the_owner_anonymises_after_confirming(self) -> None:
        shop, olga = await self.start_chat(OWNER_ID)
        await olga.press_data(callbacks.ADMIN_USER.build(self.alice.telegram_id))
        await olga.press("🗑 Anonymise")
        self.assertIn("removed for good", olga.screen.text)
        await olga.press("✖️ Cancel")
        self.assertEqual((await Customer.objects.aget(pk=self.alice.pk)).username, "alice")

        await olga.press("🗑 Anonymise")
        await olga.press("🗑 Yes, anonymise for good")

        self.assertIn(f"deleted #{self.alice.pk}", olga.screen.text)
        self.assertIn("Username: —", olga.screen.text)
        self.assertIn("anonymised on", olga.screen.text)
        self.assertNotIn("🗑 Anonymise", olga.screen.labels)
        self.assertEqual(await AuditEntry.objects.filter(action="anonymise_customer").acount(), 1)

    async def test_it_refuses_the_owner_and_staff_as_targets(self) -> None:
        _shop, olga = await self.start_chat(OWNER_ID)
        await olga.press_data(callbacks.ADMIN_USER.build(OWNER_ID))
        self.assertNotIn("🗑 Anonymise", olga.screen.labels)

        await olga.press_data(callbacks.ADMIN_USER_ANONYMISE.build(OWNER_ID, "yes"))
        self.assertIn("owner", olga.alert)
        await olga.press_data(callbacks.ADMIN_USER_ANONYMISE.build(self.admin.telegram_id, "ask"))
        self.assertIn("Staff cannot be anonymised", olga.alert)
        await olga.press_data(callbacks.ADMIN_USER_ANONYMISE.build(424242, "ask"))
        self.assertIn("No such user", olga.alert)

    async def test_it_refuses_an_admin_without_the_permission_on_every_path(self) -> None:
        adam = await self.chat(self.admin)  # the Admin role lacks anonymise_customers
        await adam.press_data(callbacks.ADMIN_USER.build(self.alice.telegram_id))
        self.assertNotIn("🗑 Anonymise", adam.screen.labels)

        for step in ("ask", "yes"):
            await self.refused(
                adam, callbacks.ADMIN_USER_ANONYMISE.build(self.alice.telegram_id, step), self.admin
            )

        self.assertEqual((await Customer.objects.aget(pk=self.alice.pk)).username, "alice")
