"""The bot and context types the application is built with.

``ShopContext.customer`` is the customer the gate loaded for this update, so
handlers never query it again. ``ShopBot`` remembers which callback queries
were answered, so the error handler and the safety net in
``handlers/fallback.py`` answer each press exactly once, and edits a screen
without reading back the message it edited (``edit_screen``).
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.ext import Application, CallbackContext, ExtBot
from telegram.warnings import PTBUserWarning

from accounts.models import Customer

# ``edit_screen`` calls editMessageText through ``do_api_request`` on purpose (so the edited
# message is not built); PTB warns about any such call of a method it has.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.editMessageText'", category=PTBUserWarning)
# Enough to cover every press being handled at once; older ids are long answered or expired.
ANSWERED_MEMORY = 10_000


class ShopBot(ExtBot[None]):
    """An ExtBot that remembers the callback queries it has answered."""

    __slots__ = ("_answered",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answered: OrderedDict[str, None] = OrderedDict()

    async def answer_callback_query(self, callback_query_id: str, *args: Any, **kwargs: Any) -> bool:
        # Remembered before the call: a failed answer must not be retried either.
        self._answered[callback_query_id] = None
        while len(self._answered) > ANSWERED_MEMORY:
            self._answered.popitem(last=False)
        return await super().answer_callback_query(callback_query_id, *args, **kwargs)

    def was_answered(self, callback_query_id: str) -> bool:
        return callback_query_id in self._answered

    async def edit_screen(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> None:
        """Edit a message's text and buttons as ``edit_message_text`` does, with the bot's defaults.

        The edited message Telegram sends back is not made into a ``Message``
        (every button of it an object): a screen never reads it, and on a
        warm screen building it cost more than all the screen's own code.
        """
        parameters: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text}
        if self.defaults is not None:
            parameters["parse_mode"] = self.defaults.parse_mode
            parameters["link_preview_options"] = self.defaults.link_preview_options
        if keyboard is not None:
            parameters["reply_markup"] = keyboard
        await self.do_api_request("editMessageText", api_kwargs=parameters)


class ShopContext(CallbackContext[ShopBot, dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context handlers receive; ``customer`` is set by the gate."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any], **kwargs: Any) -> None:
        super().__init__(application, **kwargs)
        self._customer: Customer | None = None

    @property
    def customer(self) -> Customer:
        if self._customer is None:
            raise RuntimeError("the gate has not loaded a customer for this update")
        return self._customer

    @customer.setter
    def customer(self, customer: Customer) -> None:
        self._customer = customer

    @property
    def has_customer(self) -> bool:
        return self._customer is not None
