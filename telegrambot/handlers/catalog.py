"""The shop: categories, products, the product card, a promo code on a card, and buying one unit.

What a customer is about to buy lives in ``DialogState``: the Buy press
stores ``PRODUCT_DRAFT`` with the product and any promo code accepted for it,
and the Pay press only buys what that draft names. A promo code is never put
in callback data, and a second press of an old Pay button finds no draft.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from catalog import selectors, services
from catalog.models import Purchase
from catalog.selectors import ProductCard
from monitoring import funnel
from payments.money import check_range
from payments.services import shortfall_top_up
from shopbot.errors import InsufficientFunds, PriceChanged, ShopError
from telegrambot import callbacks, delivery, dialog, ratelimit, screens, stock_alerts
from telegrambot.adapter import call, read
from telegrambot.context import ShopContext
from telegrambot.handlers import topup
from telegrambot.keyboards import catalog as keyboards
from telegrambot.keyboards import common as common_keyboards
from telegrambot.texts import catalog as texts
from telegrambot.texts import common as common_texts
from telegrambot.texts import profile as profile_texts

logger = logging.getLogger(__name__)

PRODUCT_PROMO = "product_promo"  # typing a promo code for data["product_id"]
PRODUCT_DRAFT = "product_draft"  # about to buy data["product_id"], with data["promo_code"] or None
PROMO_CODE_MAX = 32


async def show(update: Update, context: ShopContext, text: str, keyboard: InlineKeyboardMarkup) -> None:
    """Show a screen like ``screens.show``; a press that would change nothing is only answered.

    Telegram refuses an edit that changes nothing ("message is not modified"):
    a forged or repeated press that asks for the screen already shown gets no edit.
    """
    message = update.callback_query.message if update.callback_query is not None else None
    if (
        isinstance(message, Message)
        and message.text is not None
        and message.text == texts.visible_text(text)
        and message.reply_markup == keyboard
    ):
        await screens.answer(update, context)
        return
    await screens.show(update, context, text, keyboard)


# --- browsing ------------------------------------------------------------------------
async def shop(update: Update, context: ShopContext) -> None:
    """Lists the first page of categories."""
    funnel.record(step=funnel.SHOP_OPENED)
    await show_categories(update, context, 1)


async def categories(update: Update, context: ShopContext) -> None:
    """Lists one page of categories."""
    await show_categories(update, context, callbacks.CATEGORIES.parse(update.callback_query.data))


async def show_categories(update: Update, context: ShopContext, number: int) -> None:
    page = await read(selectors.list_categories, page=number)
    await show(update, context, texts.categories(page), keyboards.categories(page))


async def category(update: Update, context: ShopContext) -> None:
    """Lists one page of a category's products with their prices."""
    category_id, number = callbacks.CATEGORY.parse(update.callback_query.data)
    page = await read(selectors.list_products, category_id=category_id, page=number)
    found = (
        page.items[0].category if page.items else await call(selectors.get_category, category_id=category_id)
    )
    await show(update, context, texts.products(found, page), keyboards.products(found, page))


async def product(update: Update, context: ShopContext) -> None:
    """Shows a product card: description, price, stock, rating, and what can be done with it."""
    product_id, page = callbacks.PRODUCT.parse(update.callback_query.data)
    card = await read(selectors.get_product_card, product_id=product_id)
    funnel.record(step=funnel.PRODUCT_VIEWED)
    await show_card(update, context, card, page=page)


async def show_card(update: Update, context: ShopContext, card: ProductCard, *, page: int = 1) -> None:
    """Show the card as a photo with a caption when it has a picture, else as text."""
    draft = await get_draft(context, card.product.pk)
    promo_code = draft.data.get("promo_code") if draft else None
    text = texts.card(card, promo_code=promo_code)
    keyboard = keyboards.card(card, page=page, promo_code=promo_code)
    if not card.product.image:
        await show(update, context, text, keyboard)
        return
    await screens.answer(update, context)
    chat_id = context.customer.telegram_id
    caption = text if texts.fits_caption(text) else texts.card_caption(card)
    try:
        await context.bot.send_photo(
            chat_id, card.product.image, caption=caption, reply_markup=keyboard if caption == text else None
        )
        photo_sent = True
    except BadRequest as error:
        # A file id of another bot or a URL Telegram cannot fetch: the card goes without its picture.
        logger.warning("Cannot send the picture of product %s: %s", card.product.pk, error)
        photo_sent = False
    if not photo_sent or caption != text:
        await screens.send(update, context, text, keyboard)
    if update.callback_query is not None and isinstance(update.callback_query.message, Message):
        await screens.delete_quietly(update.callback_query.message)


# --- promo code on a card ----------------------------------------------------------------
async def ask_promo(update: Update, context: ShopContext) -> None:
    """Asks for a promo code to apply when buying this product."""
    product_id = callbacks.PRODUCT_PROMO.parse(update.callback_query.data)
    card = await call(selectors.get_product_card, product_id=product_id)
    await call(
        dialog.set_state,
        telegram_id=context.customer.telegram_id,
        state=PRODUCT_PROMO,
        data={"product_id": product_id},
    )
    await show(update, context, texts.ask_promo(card.product), keyboards.promo_prompt(product_id))


@ratelimit.limited(ratelimit.PROMO)
async def apply_promo(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Checks the typed promo code against the product and shows the price with the discount."""
    code = clean_code(update.message.text)
    product_id = state.data["product_id"]
    if code is None:
        await screens.send(
            update, context, str(profile_texts.PROMO_EXPECTED), keyboards.promo_prompt(product_id)
        )
        return
    quote = await call(
        services.quote_product,
        telegram_id=context.customer.telegram_id,
        product_id=product_id,
        promo_code=code,
    )
    await set_draft(context, product_id, quote.promo.code if quote.promo else None)
    text = texts.confirm_buy(quote, balance=context.customer.balance, promo_accepted=True)
    await screens.send(update, context, text, keyboards.confirm_buy(quote))


async def drop_promo(update: Update, context: ShopContext) -> None:
    """Forgets the promo code chosen for this product and shows its card again."""
    product_id = callbacks.DROP_PRODUCT_PROMO.parse(update.callback_query.data)
    card = await call(selectors.get_product_card, product_id=product_id)
    await set_draft(context, product_id, None)
    await screens.answer(update, context, str(texts.PROMO_REMOVED))
    await show_card(update, context, card)


def clean_code(text: str | None) -> str | None:
    """Return the typed text if it can be a promo code (one short word); the service checks the rest."""
    code = (text or "").strip()
    if not code or len(code) > PROMO_CODE_MAX or any(char.isspace() for char in code):
        return None
    return code


async def still_typing_draft(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Answers text sent while a purchase waits for its confirmation: the buttons do the buying."""
    await screens.send(update, context, str(common_texts.UNKNOWN_TEXT), common_keyboards.back_to_menu())


# --- buying one unit -----------------------------------------------------------------------
async def buy(update: Update, context: ShopContext) -> None:
    """Shows what one unit costs after any promo code, with a button to pay that price."""
    product_id = callbacks.BUY.parse(update.callback_query.data)
    await show_confirmation(update, context, product_id)


async def show_confirmation(update: Update, context: ShopContext, product_id: int) -> None:
    draft = await get_draft(context, product_id)
    promo_code = draft.data.get("promo_code") if draft else None
    quote = await call(
        services.quote_product,
        telegram_id=context.customer.telegram_id,
        product_id=product_id,
        promo_code=promo_code,
    )
    await set_draft(context, product_id, promo_code)
    await show(
        update,
        context,
        texts.confirm_buy(quote, balance=context.customer.balance),
        keyboards.confirm_buy(quote),
    )


@ratelimit.limited(ratelimit.PURCHASE)
async def confirm_buy(update: Update, context: ShopContext) -> None:
    """Buys one unit at the price the confirmation showed and shows the receipt with the value.

    The draft is taken (read and removed at once), so two presses of Pay buy
    once; a purchase that is refused puts it back for the next try.
    """
    product_id, price = callbacks.CONFIRM_BUY.parse(update.callback_query.data)
    draft = await take_draft(context, product_id)
    if draft is None:
        await screens.answer(update, context, common_texts.alert(texts.CONFIRMATION_EXPIRED), alert=True)
        return
    promo_code = draft.data.get("promo_code")
    try:
        purchase = await call(
            services.purchase_product,
            telegram_id=context.customer.telegram_id,
            product_id=product_id,
            promo_code=promo_code,
            expected_price=price,
        )
    except ShopError as error:
        await set_draft(context, product_id, promo_code)
        if isinstance(error, InsufficientFunds):
            back = common_keyboards.back_row(callbacks.PRODUCT, product_id, 1)
            await show_shortfall(update, context, price=price, back=back)
            return
        if isinstance(error, PriceChanged):
            await screens.answer(update, context, common_texts.alert(error), alert=True)
            await show_confirmation(update, context, product_id)
            return
        raise
    funnel.record(step=funnel.PURCHASED)
    await show_receipt(update, context, purchase)
    await stock_alerts.after_sale(context.bot, [purchase])


async def show_receipt(update: Update, context: ShopContext, purchase: Purchase) -> None:
    found = delivery.receipt(
        [purchase], full=texts.receipt(purchase), short=texts.receipt(purchase, with_value=False)
    )
    await show(update, context, found.text, keyboards.receipt(purchase))
    await delivery.send_file(context.bot, context.customer.telegram_id, found)


# --- not enough money ----------------------------------------------------------------------
async def show_shortfall(
    update: Update, context: ShopContext, *, price: Decimal, back: list[InlineKeyboardButton]
) -> None:
    """Say that the balance does not cover ``price`` and offer to top up the difference."""
    balance = context.customer.balance
    top_up = shortfall_top_up(price=price, balance=balance)
    text = texts.insufficient(price=price, balance=balance, top_up=top_up)
    await show(update, context, text, keyboards.insufficient(top_up=top_up, back=back))


async def top_up_shortfall(update: Update, context: ShopContext) -> None:
    """Offers the payment methods the shop has configured for the amount a purchase lacked."""
    # The amount comes from the client like any callback data: the same bounds as a typed one.
    amount = check_range(callbacks.TOP_UP_SHORTFALL.parse(update.callback_query.data))
    await show(update, context, *topup.methods_screen(amount))


# --- the draft -----------------------------------------------------------------------------
async def get_draft(context: ShopContext, product_id: int) -> dialog.Dialog | None:
    """Return the purchase draft of ``product_id``, if that is what the customer is buying."""
    state = await read(dialog.get_state, telegram_id=context.customer.telegram_id)
    if state is None or state.state != PRODUCT_DRAFT or state.data.get("product_id") != product_id:
        return None
    return state


async def take_draft(context: ShopContext, product_id: int) -> dialog.Dialog | None:
    """Remove and return the purchase draft of ``product_id``; a draft of another product stays."""
    telegram_id = context.customer.telegram_id
    draft = await call(dialog.take_state, telegram_id=telegram_id, state=PRODUCT_DRAFT)
    if draft is not None and draft.data.get("product_id") != product_id:
        # An old Pay button of another product: the confirmation on screen must still work.
        await call(dialog.set_state, telegram_id=telegram_id, state=draft.state, data=draft.data)
        return None
    return draft


async def set_draft(context: ShopContext, product_id: int, promo_code: str | None) -> None:
    data = {"product_id": product_id, "promo_code": promo_code}
    await call(dialog.set_state, telegram_id=context.customer.telegram_id, state=PRODUCT_DRAFT, data=data)


HANDLERS = [
    CommandHandler("shop", shop, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(shop, pattern=callbacks.SHOP.pattern),
    CallbackQueryHandler(categories, pattern=callbacks.CATEGORIES.pattern),
    CallbackQueryHandler(category, pattern=callbacks.CATEGORY.pattern),
    CallbackQueryHandler(product, pattern=callbacks.PRODUCT.pattern),
    CallbackQueryHandler(ask_promo, pattern=callbacks.PRODUCT_PROMO.pattern),
    CallbackQueryHandler(drop_promo, pattern=callbacks.DROP_PRODUCT_PROMO.pattern),
    CallbackQueryHandler(buy, pattern=callbacks.BUY.pattern),
    CallbackQueryHandler(confirm_buy, pattern=callbacks.CONFIRM_BUY.pattern),
    CallbackQueryHandler(top_up_shortfall, pattern=callbacks.TOP_UP_SHORTFALL.pattern),
]
PROMPTS = {PRODUCT_PROMO: apply_promo, PRODUCT_DRAFT: still_typing_draft}
