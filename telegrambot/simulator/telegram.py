"""The fake Bot API as the simulator uses it: paid invoices, cleared chats and a change counter.

``SimulatedTelegram`` extends the tests' ``FakeTelegram``: it remembers which
invoices were paid (Telegram then shows them as paid instead of offering the
Pay button again) and counts changes, so the page asks for the chat again only
when something happened.
"""

from __future__ import annotations

from typing import Any

from telegrambot.simulator.fake_telegram import ChatMessage, FakeTelegram

BOT_USERNAME = "shop_simulator_bot"
MAX_CALLS_KEPT = 1000  # the fake keeps every call for tests; a long-running simulator keeps the latest


class SimulatedTelegram(FakeTelegram):
    """A ``FakeTelegram`` that also remembers paid invoices and counts changes."""

    def __init__(self) -> None:
        super().__init__(bot_username=BOT_USERNAME)
        self.bot["first_name"] = "Shop"
        self.paid_invoices: dict[int, str] = {}  # invoice message id -> Telegram charge id
        self.version = 0

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            return super().handle(method, params)
        finally:
            self.version += 1
            if len(self.calls) > MAX_CALLS_KEPT:
                del self.calls[: len(self.calls) - MAX_CALLS_KEPT // 2]

    def add_user_message(self, chat_id: int, text: str = "") -> ChatMessage:
        message = super().add_user_message(chat_id, text)
        self.version += 1
        return message

    def store_file(self, filename: str, content: bytes) -> dict[str, Any]:
        """Keep a file a user sends, as Telegram's servers would, and return its Bot API ``Document``."""
        extension = "".join(char for char in filename.rsplit(".", 1)[-1] if char.isalnum())[:10]
        suffix = f".{extension}" if "." in filename and extension else ""
        file_id, unique_id = self.add_file(content, suffix=suffix)
        return {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": filename,
            "file_size": len(content),
        }

    def file_content(self, file_id: str) -> bytes | None:
        """Return the content of a file sent in the simulator, looked up by its file id."""
        stored = self.files.get(file_id)
        return stored[1] if stored else None

    def mark_paid(self, message_id: int, charge_id: str) -> None:
        self.paid_invoices[message_id] = charge_id
        self.version += 1

    def clear_chat(self, chat_id: int) -> None:
        """Forget the chat's messages, as "Clear history" does in a Telegram client."""
        for message in self.chats.get(chat_id, []):
            message.deleted = True
        self.version += 1
