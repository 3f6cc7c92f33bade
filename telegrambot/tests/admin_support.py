"""What the admin menu's tests share: files and photos sent to the bot, the narrower admins."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group, Permission

from accounts.models import AuditEntry, Customer
from shopbot.test import make_customer
from telegrambot.testing.driver import ChatUser
from telegrambot.tests.helpers import BotTestCase

PHOTO_ID = "AgACAgIAAxkBAAIBZ2VwYWxwaG90by1maWxlLWlk"


async def send_document(
    user: ChatUser, content: bytes, file_name: str, *, size: int | None = None, strict: bool = True
) -> None:
    """Send a document as the user; ``size`` overrides the size Telegram reports."""
    suffix = "." + file_name.rsplit(".", 1)[-1] if "." in file_name else ""
    file_id, unique_id = user.telegram.add_file(content, suffix=suffix)
    message = user.telegram.add_user_message(user.id)
    document = {
        "file_id": file_id,
        "file_unique_id": unique_id,
        "file_name": file_name,
        "file_size": len(content) if size is None else size,
        "mime_type": "text/plain",
    }
    await user.shop.process({"message": {**user.message_base(message), "document": document}}, strict=strict)


async def send_photo(user: ChatUser, file_id: str = PHOTO_ID) -> None:
    message = user.telegram.add_user_message(user.id)
    sizes = [
        {"file_id": file_id[:-1] + "s", "file_unique_id": "ps", "width": 90, "height": 90},
        {"file_id": file_id, "file_unique_id": "pl", "width": 800, "height": 800},
    ]
    await user.shop.process({"message": {**user.message_base(message), "photo": sizes}})


class AdminTestCase(BotTestCase):
    """The cast, plus Carl, an admin who may only manage stock."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # OWNER_ID is set per test, after this runs: the role is made directly.
        stock_role = Group.objects.create(name="Stock keeper")
        stock_role.permissions.set(
            Permission.objects.filter(content_type__app_label="accounts", codename="manage_stock")
        )
        cls.carl = make_customer(3001, username="carl", first_name="Carl", role=stock_role)

    async def chat(self, customer: Customer, **user: Any) -> ChatUser:
        """Start the bot and open a chat for ``customer`` (who has sent /start)."""
        _shop, chat_user = await self.start_chat(
            customer.telegram_id, username=customer.username or None, **user
        )
        return chat_user

    async def audits(self, action: str, actor: Customer | None = None) -> int:
        entries = AuditEntry.objects.filter(action=action)
        if actor is not None:
            entries = entries.filter(actor=actor)
        return await sync_to_async(entries.count)()

    async def refused(self, user: ChatUser, data: str, actor: Customer) -> None:
        """Press forged ``data`` and check that it was refused and audited."""
        before = await self.audits("permission_denied", actor)
        await user.press_data(data)
        self.assertIn("not allowed", user.alert or "")
        self.assertEqual(await self.audits("permission_denied", actor), before + 1, data)
