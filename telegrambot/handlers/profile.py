"""The profile: balance and totals, purchase history, operation history, promo codes."""

from __future__ import annotations

from django.utils.timezone import now
from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from catalog import selectors as catalog_selectors
from catalog import services as catalog_services
from catalog.selectors import customer_data
from catalog.services import manual as manual_services
from payments import selectors as payment_selectors
from telegrambot import callbacks, delivery, ratelimit, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import common as common_keyboards
from telegrambot.keyboards import profile as keyboards
from telegrambot.services import dialog
from telegrambot.texts import common as common_texts
from telegrambot.texts import profile as texts

REDEEM_PROMO = "redeem_promo"
PROMO_CODE_MAX = 32


async def profile(update: Update, context: ShopContext) -> None:
    """Shows the balance, what was topped up and spent, and the history buttons."""
    customer = context.customer
    totals = await call(payment_selectors.get_ledger_totals, telegram_id=customer.telegram_id)
    await screens.show(update, context, texts.profile(customer, totals), keyboards.profile())


async def purchases(update: Update, context: ShopContext) -> None:
    """Lists one page of the customer's orders, newest first."""
    number = callbacks.PURCHASES.parse(update.callback_query.data)
    page = await call(catalog_selectors.list_purchases, telegram_id=context.customer.telegram_id, page=number)
    text = texts.purchases(page.number, has_items=bool(page.items))
    await screens.show(update, context, text, keyboards.purchases(page.items, page))


async def purchase(update: Update, context: ShopContext) -> None:
    """Re-opens one of the customer's own orders with the value they received."""
    purchase_id, page = callbacks.PURCHASE.parse(update.callback_query.data)
    found = await call(
        catalog_selectors.get_purchase, telegram_id=context.customer.telegram_id, purchase_id=purchase_id
    )
    receipt = delivery.receipt(
        [found], full=texts.purchase(found), short=texts.purchase(found, with_value=False)
    )
    preparing = common_texts.is_being_prepared(found) and found.refunded_at is None
    claimable_id = found.pk if found.warranty_until is not None and not preparing else None
    late_id = found.pk if preparing and found.fulfil_by <= now() else None
    keyboard = keyboards.purchase(page, claimable_id=claimable_id, late_id=late_id)
    await screens.show(update, context, receipt.text, keyboard)
    await delivery.send_file(context.bot, context.customer.telegram_id, receipt)


async def refund_late(update: Update, context: ShopContext) -> None:
    """Refunds one's own manual order that was not delivered by its deadline, and shows it again."""
    purchase_id = callbacks.REFUND_LATE.parse(update.callback_query.data)
    telegram_id = context.customer.telegram_id
    await call(manual_services.refund_late_order, telegram_id=telegram_id, purchase_id=purchase_id)
    await screens.answer(update, context, str(texts.REFUNDED_LATE))
    found = await call(catalog_selectors.get_purchase, telegram_id=telegram_id, purchase_id=purchase_id)
    await screens.show(update, context, texts.purchase(found), keyboards.purchase(1))


async def ledger(update: Update, context: ShopContext) -> None:
    """Lists one page of every change of the balance, newest first."""
    number = callbacks.LEDGER.parse(update.callback_query.data)
    page = await call(payment_selectors.list_ledger, telegram_id=context.customer.telegram_id, page=number)
    await screens.show(update, context, texts.ledger(page.items, page.number), keyboards.ledger(page))


async def ask_promo_code(update: Update, context: ShopContext) -> None:
    """Asks for a balance promo code to redeem."""
    await call(dialog.set_state, telegram_id=context.customer.telegram_id, state=REDEEM_PROMO)
    await screens.show(update, context, str(texts.ASK_PROMO), common_keyboards.cancel())


async def redeem_promo_code(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Redeems the typed balance promo code and shows the new balance."""
    code = update.message.text.strip()
    if not code or len(code) > PROMO_CODE_MAX or any(char.isspace() for char in code):
        await screens.send(update, context, str(texts.PROMO_EXPECTED), common_keyboards.cancel())
        return
    entry = await call(
        dialog.finish_with,
        catalog_services.redeem_balance_promo,
        answered_by=context.customer.telegram_id,
        telegram_id=context.customer.telegram_id,
        code=code,
    )
    await screens.send(
        update, context, texts.promo_redeemed(entry.amount, entry.balance_after), keyboards.profile()
    )


@ratelimit.limited(ratelimit.MYDATA)
async def my_data(update: Update, context: ShopContext) -> None:
    """Sends the customer a JSON file of everything the shop holds about them."""
    telegram_id = context.customer.telegram_id
    content = await call(customer_data.export_customer_data, telegram_id=telegram_id)
    document = InputFile(content, filename=f"mydata-{telegram_id}.json")
    await context.bot.send_document(telegram_id, document, caption=str(texts.MY_DATA_CAPTION))


HANDLERS = [
    CommandHandler("profile", profile, filters=filters.ChatType.PRIVATE),
    CommandHandler("mydata", my_data, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(profile, pattern=callbacks.PROFILE.pattern),
    CallbackQueryHandler(purchases, pattern=callbacks.PURCHASES.pattern),
    CallbackQueryHandler(purchase, pattern=callbacks.PURCHASE.pattern),
    CallbackQueryHandler(refund_late, pattern=callbacks.REFUND_LATE.pattern),
    CallbackQueryHandler(ledger, pattern=callbacks.LEDGER.pattern),
    CallbackQueryHandler(ask_promo_code, pattern=callbacks.REDEEM_PROMO.pattern),
]
PROMPTS = {REDEEM_PROMO: redeem_promo_code}
FEATURE = Feature("profile", handlers=HANDLERS, prompts=PROMPTS)
