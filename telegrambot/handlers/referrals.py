"""The referral programme: the personal link, how many joined, what they earned."""

from __future__ import annotations

from django.conf import settings
from telegram import Update
from telegram.ext import CallbackQueryHandler

from accounts import selectors as account_selectors
from payments import selectors as payment_selectors
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import profile as keyboards
from telegrambot.texts import common as common_texts
from telegrambot.texts import referrals as texts


async def referrals(update: Update, context: ShopContext) -> None:
    """Shows the personal invitation link, the number of referrals and the earnings."""
    if not await programme_is_on(update, context):
        return
    telegram_id = context.customer.telegram_id
    count = await call(account_selectors.count_referrals, telegram_id=telegram_id)
    earned = await call(payment_selectors.get_referral_earnings, telegram_id=telegram_id)
    link = texts.referral_link(context.bot.username, context.customer)
    await screens.show(
        update, context, texts.referrals(link=link, count=count, earned=earned), keyboards.referrals()
    )


async def referral_list(update: Update, context: ShopContext) -> None:
    """Lists one page of the customers who joined with the personal link."""
    if not await programme_is_on(update, context):
        return
    number = callbacks.REFERRAL_LIST.parse(update.callback_query.data)
    page = await call(account_selectors.list_referrals, telegram_id=context.customer.telegram_id, page=number)
    await screens.show(
        update, context, texts.referral_list(page.items, page.number), keyboards.referral_list(page)
    )


async def programme_is_on(update: Update, context: ShopContext) -> bool:
    # The menu hides the button when REFERRAL_PERCENT is 0; an old or forged button is refused here.
    if settings.REFERRAL_PERCENT > 0:
        return True
    await screens.answer(update, context, common_texts.alert(common_texts.COMING_SOON), alert=True)
    return False


HANDLERS = [
    CallbackQueryHandler(referrals, pattern=callbacks.REFERRALS.pattern),
    CallbackQueryHandler(referral_list, pattern=callbacks.REFERRAL_LIST.pattern),
]
FEATURE = Feature("referrals", handlers=HANDLERS)
