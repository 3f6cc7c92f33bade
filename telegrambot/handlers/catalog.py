"""The shop: categories, products, the product card, a promo code on a card, and buying one unit.

The confirmation's quote writes a purchase intent on the server (the product,
the promo code, the price shown, until when) and its Pay button names only
that intent; the purchase service claims it once, so a second press, another
customer's intent or an outdated price is refused there. ``PRODUCT_DRAFT`` in
``DialogState`` only remembers the promo code accepted for a product, so its
card and its next confirmation show it; a sale forgets it.
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from catalog import selectors, services
from catalog.models import Purchase
from catalog.selectors import ProductCard
from catalog.selectors import preorders as preorder_selectors
from catalog.selectors import waitlist as waitlist_selectors
from catalog.services import waitlist
from monitoring import funnel
from payments.money import check_range
from shopbot.errors import AnswersNeeded, InsufficientFunds, IntentExpired, PriceChanged
from telegrambot import callbacks, checkout_questions, delivery, ratelimit, screens
from telegrambot.adapter import call, read
from telegrambot.common_screens import methods_screen, show_shortfall
from telegrambot.context import ShopContext
from telegrambot.features import Feature, Job
from telegrambot.jobs import stock_alerts, waitlist_notices
from telegrambot.keyboards import catalog as keyboards
from telegrambot.keyboards import common as common_keyboards
from telegrambot.prompting import clean_code
from telegrambot.screens import show_changed as show  # a press that changes nothing is only answered
from telegrambot.services import dialog
from telegrambot.texts import catalog as texts
from telegrambot.texts import common as common_texts
from telegrambot.texts import profile as profile_texts

logger = logging.getLogger(__name__)

PRODUCT_PROMO = "product_promo"  # typing a promo code for data["product_id"]
PRODUCT_DRAFT = "product_draft"  # the promo code data["promo_code"] chosen for data["product_id"]


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


async def toggle_waitlist(update: Update, context: ShopContext) -> None:
    """Joins or leaves the waitlist of a sold-out product, and shows the card again."""
    product_id, page = callbacks.WAITLIST.parse(update.callback_query.data)
    joined = await call(
        waitlist.toggle_waitlist, telegram_id=context.customer.telegram_id, product_id=product_id
    )
    await screens.answer(update, context, str(texts.WILL_NOTIFY if joined else texts.STOPPED_NOTIFYING))
    card = await call(selectors.get_product_card, product_id=product_id)
    await show_card(update, context, card, page=page)


async def show_card(update: Update, context: ShopContext, card: ProductCard, *, page: int = 1) -> None:
    """Show the card as a photo with a caption when it has a picture, else as text."""
    draft = await get_draft(context, card.product.pk)
    promo_code = draft.data.get("promo_code") if draft else None
    text = texts.card(card, promo_code=promo_code)
    waiting = not card.in_stock and await call(
        waitlist_selectors.is_waiting, telegram_id=context.customer.telegram_id, product_id=card.product.pk
    )
    preorder_id = None
    if keyboards.takes_preorders(card):
        preorder_id = await call(
            preorder_selectors.open_preorder_id,
            telegram_id=context.customer.telegram_id,
            product_id=card.product.pk,
        )
    keyboard = keyboards.card(
        card, page=page, promo_code=promo_code, waiting=waiting, preorder_id=preorder_id
    )
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
    try:
        quote = await call(
            services.quote_product,
            telegram_id=context.customer.telegram_id,
            product_id=product_id,
            promo_code=code,
        )
    except AnswersNeeded:
        # A manual product's questions come first; the code waits with them and is checked after.
        await set_draft(context, product_id, code)
        await show_confirmation(update, context, product_id)
        return
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


async def still_typing_draft(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Answers text sent while a purchase waits for its confirmation: the buttons do the buying."""
    await screens.send(update, context, str(common_texts.UNKNOWN_TEXT), common_keyboards.back_to_menu())


# --- buying one unit -----------------------------------------------------------------------
async def buy(update: Update, context: ShopContext) -> None:
    """Shows what one unit costs after any promo code, with a button to pay that price.

    A manual product's checkout questions are asked first (``checkout_questions``).
    """
    product_id = callbacks.BUY.parse(update.callback_query.data)
    await show_confirmation(update, context, product_id)


async def show_confirmation(update: Update, context: ShopContext, product_id: int) -> None:
    draft = await get_draft(context, product_id)
    promo_code = draft.data.get("promo_code") if draft else None
    answers: dict[str, list[str]] = {}
    card = await read(selectors.get_product_card, product_id=product_id)  # warm: no query
    if card.product.is_manual:
        resume = callbacks.BUY.build(product_id)
        keep = {"promo_code": promo_code} if promo_code else None
        answered = await checkout_questions.answers_for(
            update, context, [product_id], resume=resume, keep=keep
        )
        if answered is None:
            return  # the questions are being asked (the promo code draft waits in their state)
        answers = answered.answers
        if promo_code is None and answered.kept.get("promo_code"):
            promo_code = answered.kept["promo_code"]
            await set_draft(context, product_id, promo_code)  # the card and Pay see it again
    quote = await call(
        services.quote_product,
        telegram_id=context.customer.telegram_id,
        product_id=product_id,
        promo_code=promo_code,
        answers=answers,
    )
    await show(
        update,
        context,
        texts.confirm_buy(quote, balance=context.customer.balance),
        keyboards.confirm_buy(quote),
    )


@ratelimit.limited(ratelimit.PURCHASE)
async def confirm_buy(update: Update, context: ShopContext) -> None:
    """Buys the unit its confirmation showed, at that price and once, and shows the receipt with the value."""
    intent_id = callbacks.CONFIRM_BUY.parse(update.callback_query.data)
    try:
        purchase = await call(
            services.purchase_product, telegram_id=context.customer.telegram_id, intent_id=intent_id
        )
    except InsufficientFunds as error:
        back = common_keyboards.back_row(callbacks.PRODUCT, error.params["product_id"], 1)
        await show_shortfall(update, context, price=error.params["amount"], back=back)
        return
    except (PriceChanged, IntentExpired) as error:
        # What the screen showed no longer holds: say why and show today's confirmation.
        await screens.answer(update, context, common_texts.alert(error), alert=True)
        await show_confirmation(update, context, error.params["product_id"])
        return
    await call(dialog.take_state, telegram_id=context.customer.telegram_id, state=PRODUCT_DRAFT)
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
async def top_up_shortfall(update: Update, context: ShopContext) -> None:
    """Offers the payment methods the shop has configured for the amount a purchase lacked."""
    # The amount comes from the client like any callback data: the same bounds as a typed one.
    amount = check_range(callbacks.TOP_UP_SHORTFALL.parse(update.callback_query.data))
    await show(update, context, *methods_screen(amount))


# --- the promo code chosen for a product ----------------------------------------------------
async def get_draft(context: ShopContext, product_id: int) -> dialog.Dialog | None:
    """Return the promo code draft of ``product_id``, if that is the product the customer chose one for."""
    state = await read(dialog.get_state, telegram_id=context.customer.telegram_id)
    if state is None or state.state != PRODUCT_DRAFT or state.data.get("product_id") != product_id:
        return None
    return state


async def set_draft(context: ShopContext, product_id: int, promo_code: str | None) -> None:
    data = {"product_id": product_id, "promo_code": promo_code}
    await call(dialog.set_state, telegram_id=context.customer.telegram_id, state=PRODUCT_DRAFT, data=data)


HANDLERS = [
    CommandHandler("shop", shop, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(shop, pattern=callbacks.SHOP.pattern),
    CallbackQueryHandler(categories, pattern=callbacks.CATEGORIES.pattern),
    CallbackQueryHandler(category, pattern=callbacks.CATEGORY.pattern),
    CallbackQueryHandler(product, pattern=callbacks.PRODUCT.pattern),
    CallbackQueryHandler(toggle_waitlist, pattern=callbacks.WAITLIST.pattern),
    CallbackQueryHandler(ask_promo, pattern=callbacks.PRODUCT_PROMO.pattern),
    CallbackQueryHandler(drop_promo, pattern=callbacks.DROP_PRODUCT_PROMO.pattern),
    CallbackQueryHandler(buy, pattern=callbacks.BUY.pattern),
    CallbackQueryHandler(confirm_buy, pattern=callbacks.CONFIRM_BUY.pattern),
    CallbackQueryHandler(top_up_shortfall, pattern=callbacks.TOP_UP_SHORTFALL.pattern),
]
PROMPTS = {PRODUCT_PROMO: apply_promo, PRODUCT_DRAFT: still_typing_draft}
JOBS = [Job("waitlist_notices", waitlist_notices.queue_notices, every=waitlist_notices.EVERY, first=11)]
FEATURE = Feature("catalog", handlers=HANDLERS, prompts=PROMPTS, jobs=JOBS)
