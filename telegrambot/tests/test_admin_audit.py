"""The audit log in the bot: pages, filters by admin and by action, the log files, refusals."""

import tempfile
from pathlib import Path

from asgiref.sync import sync_to_async
from django.test import override_settings

from accounts.services import record_audit
from telegrambot import callbacks
from telegrambot.tests.admin_tools import audited, denials, make_admin
from telegrambot.tests.helpers import BotTestCase


@sync_to_async
def write_entries(test) -> None:
    for number in range(12):
        record_audit(actor=test.admin, action="save_promo", target=f"CODE{number}", details={"value": "10"})
    for _ in range(3):
        record_audit(actor=test.owner, action="maintenance_on")


class AuditLogTests(BotTestCase):
    async def open_audit(self):
        await write_entries(self)
        shop, adam = await self.start_chat(self.admin.telegram_id, first_name="Adam")
        await adam.press_data(callbacks.ADMIN_AUDIT.build())
        return shop, adam

    async def test_it_pages_the_latest_entries(self):
        shop, adam = await self.open_audit()

        self.assertIn("Audit log · page 1", adam.screen.text)
        self.assertEqual(adam.screen.text.count("maintenance_on"), 3)
        self.assertEqual(adam.screen.text.count("save_promo"), 7)
        self.assertIn("CODE11", adam.screen.text)
        await adam.press("▶️")
        self.assertIn("page 2", adam.screen.text)
        self.assertIn("CODE0", adam.screen.text)
        self.assertEqual(adam.screen.text.count("save_promo"), 5)

    async def test_it_filters_by_admin_and_by_action(self):
        shop, adam = await self.open_audit()

        await adam.press("👤 Admin: Everyone")
        self.assertIn("Olga", adam.screen.labels)
        await adam.press("Olga")
        self.assertIn("Admin: Olga", adam.screen.text)
        self.assertEqual(adam.screen.text.count("maintenance_on"), 3)
        self.assertNotIn("save_promo", adam.screen.text)

        await adam.press("⚙️ Action: Every action")
        await adam.press("save_promo")
        self.assertIn("No entries.", adam.screen.text)
        await adam.press("👤 Admin: Olga")
        await adam.press("Everyone")
        self.assertIn("action: save_promo", adam.screen.text)
        self.assertEqual(adam.screen.text.count("save_promo"), 11)  # ten entries and the header

    async def test_it_sends_the_log_file_and_says_when_one_is_missing(self):
        with tempfile.TemporaryDirectory() as directory:
            log = Path(directory) / "bot.log"
            log.write_text("INFO started\n")
            with override_settings(BOT_LOGFILE=str(log), BOT_AUDITFILE=str(Path(directory) / "missing.log")):
                shop, adam = await self.open_audit()

                await adam.press("📄 Bot log")
                document = adam.latest_bot_message()
                await adam.press("📄 Audit log file")

        self.assertEqual(document.kind, "document")
        self.assertEqual(
            (document.media["filename"], document.media["content"]), ("bot.log", b"INFO started\n")
        )
        self.assertIn("does not exist", adam.alert)
        self.assertEqual([entry.target for entry in await audited("download_log")], ["bot.log"])


class AuditRefusalTests(BotTestCase):
    async def test_it_refuses_a_customer_and_an_admin_without_the_permission(self):
        shop = await self.start_shop()
        await make_admin(3001, "view_statistics")
        forged = [
            callbacks.ADMIN_AUDIT.build(),
            callbacks.ADMIN_AUDIT_PAGE.build(self.owner.pk, "maintenance_on", 1),
            callbacks.ADMIN_AUDIT_FILTER.build("actor", 0, "-"),
            callbacks.ADMIN_AUDIT_FILE.build("audit"),
        ]
        for telegram_id in (self.alice.telegram_id, 3001):
            user = await shop.user(telegram_id)
            await user.send("/start")
            for data in forged:
                await user.press_data(data)
                self.assertEqual(user.alert, "You are not allowed to do that.")
            self.assertEqual(
                await denials(telegram_id),
                ["list_audit_entries", "list_audit_entries", "list_audit_filters", "read_log_file"],
            )
            self.assertNotIn("document", [message.kind for message in user.messages])
