"""The channel gate's answer, shared by the bot's gate and the Mini App: is this customer a member of ``CHANNEL_ID``?

Members are remembered in the shared cache for ``MEMBERSHIP_SECONDS``, so
both faces ask Telegram at most once per customer in that time, and a member
admitted by one face is admitted by the other. Admins pass without asking.
The Bot API call is async and made by the face (the bot's own ``Bot``, or
``payments.telegram_api.web_bot()`` in the web process), never on the ORM thread.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from telegram import Bot, ChatMember
from telegram.error import TelegramError

logger = logging.getLogger(__name__)

# A member stays admitted this long without asking Telegram again.
MEMBERSHIP_SECONDS = 10 * 60
MEMBER_STATUSES = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER}


def member_key(telegram_id: int) -> str:
    return f"channel-member:{telegram_id}"


async def is_remembered_member(telegram_id: int) -> bool:
    return bool(await cache.aget(member_key(telegram_id)))


async def remember_member(telegram_id: int) -> None:
    await cache.aset(member_key(telegram_id), True, MEMBERSHIP_SECONDS)


async def is_channel_member(bot: Bot, telegram_id: int) -> bool:
    """Ask Telegram whether the user is in ``CHANNEL_ID``; a misconfigured channel lets everyone in."""
    try:
        member = await bot.get_chat_member(settings.CHANNEL_ID, telegram_id)
    except TelegramError as error:
        # A misconfigured channel (the bot is not its admin) must not lock everyone out of the shop.
        logger.warning("Cannot check membership of %s in %s: %s", telegram_id, settings.CHANNEL_ID, error)
        return True
    return member.status in MEMBER_STATUSES or bool(getattr(member, "is_member", False))
