"""The cart: lines priced at view time, quantities, promo codes per line, and an all-or-nothing checkout.

A line is named by its product id; every service looks the line up among
the customer's own, so another customer's product id only finds "not in
your cart". The checkout confirmation's quote writes a purchase intent (the
lines, codes and total shown) and its Pay button names only that intent; the
checkout claims it once and refuses (``CartChanged``) a cart that differs.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from catalog import selectors, services
from catalog.selectors import Page, paginate
from catalog.selectors import manual as manual_selectors
from catalog.services import Cart, CartItem
from monitoring import funnel
from shopbot.errors import CartChanged, CartEmpty, InsufficientFunds, IntentExpired, NotInCart
from telegrambot import callbacks, checkout_questions, delivery, ratelimit, screens
from telegrambot.adapter import call
from telegrambot.common_screens import show_shortfall
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.jobs import stock_alerts
from telegrambot.keyboards import cart as keyboards
from telegrambot.keyboards import common as common_keyboards
from telegrambot.prompting import clean_code
from telegrambot.screens import show_changed as show  # a press that changes nothing is only answered
from telegrambot.services import dialog
from telegrambot.texts import cart as texts
from telegrambot.texts import common as common_texts
from telegrambot.texts import profile as profile_texts

CART_PROMO = "cart_promo"  # typing a promo code for the cart line of data["product_id"]
PAGE_SIZE = 8  # lines per cart page: keeps the longest page within one message


# --- the cart ------------------------------------------------------------------------------
async def cart(update: Update, context: ShopContext) -> None:
    """Shows the first page of the cart with today's prices and the total."""
    await show_cart(update, context, 1)


async def cart_page(update: Update, context: ShopContext) -> None:
    """Shows one page of the cart."""
    await show_cart(update, context, callbacks.CART_PAGE.parse(update.callback_query.data))


async def show_cart(update: Update, context: ShopContext, number: int) -> None:
    found = await call(selectors.get_cart, telegram_id=context.customer.telegram_id)
    page = page_of(found.items, number)
    await show(update, context, texts.cart(found, page), keyboards.cart(found, page))


def page_of(items: list[CartItem], number: int) -> Page[CartItem]:
    """Return page ``number`` of the cart's lines (all of them are loaded to price the total)."""
    return paginate(items, page=number, size=PAGE_SIZE)


async def add(update: Update, context: ShopContext) -> None:
    """Puts one unit of the product in the cart and says how many items the cart holds."""
    product_id = callbacks.CART_ADD.parse(update.callback_query.data)
    line = await call(services.add_to_cart, telegram_id=context.customer.telegram_id, product_id=product_id)
    count = await call(selectors.count_cart_items, customer_id=context.customer.pk)
    await screens.answer(update, context, common_texts.alert(texts.added(line.product, count)))


async def clear(update: Update, context: ShopContext) -> None:
    """Empties the cart."""
    await call(services.clear_cart, telegram_id=context.customer.telegram_id)
    await screens.answer(update, context, str(texts.CLEARED))
    await show_cart(update, context, 1)


# --- one line ------------------------------------------------------------------------------
async def line(update: Update, context: ShopContext) -> None:
    """Shows one cart line with buttons to change its quantity, its promo code, or remove it."""
    await show_line(update, context, callbacks.CART_LINE.parse(update.callback_query.data))


async def show_line(update: Update, context: ShopContext, product_id: int, *, notice: str = "") -> None:
    item = find_item(await call(selectors.get_cart, telegram_id=context.customer.telegram_id), product_id)
    await show(update, context, texts.line(item, notice=notice), keyboards.line(item))


def find_item(found: Cart, product_id: int) -> CartItem:
    for item in found.items:
        if item.product.pk == product_id:
            return item
    raise NotInCart()


async def change_quantity(update: Update, context: ShopContext) -> None:
    """Sets how many units of the item the cart holds."""
    product_id, quantity = callbacks.CART_QUANTITY.parse(update.callback_query.data)
    await call(
        services.set_cart_quantity,
        telegram_id=context.customer.telegram_id,
        product_id=product_id,
        quantity=quantity,
    )
    await show_line(update, context, product_id)


async def remove(update: Update, context: ShopContext) -> None:
    """Takes the item out of the cart and shows the cart."""
    product_id = callbacks.CART_REMOVE.parse(update.callback_query.data)
    if not await call(
        services.remove_from_cart, telegram_id=context.customer.telegram_id, product_id=product_id
    ):
        raise NotInCart()
    await screens.answer(update, context, str(texts.REMOVED))
    await show_cart(update, context, 1)


async def ask_promo(update: Update, context: ShopContext) -> None:
    """Asks for a promo code for this cart line."""
    product_id = callbacks.CART_PROMO.parse(update.callback_query.data)
    item = find_item(await call(selectors.get_cart, telegram_id=context.customer.telegram_id), product_id)
    await call(
        dialog.set_state,
        telegram_id=context.customer.telegram_id,
        state=CART_PROMO,
        data={"product_id": product_id},
    )
    await show(update, context, texts.ask_promo(item), keyboards.promo_prompt(product_id))


@ratelimit.limited(ratelimit.PROMO)
async def apply_promo(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Attaches the typed promo code to the cart line and shows the line with its discount."""
    code = clean_code(update.message.text)
    product_id = state.data["product_id"]
    if code is None:
        await screens.send(
            update, context, str(profile_texts.PROMO_EXPECTED), keyboards.promo_prompt(product_id)
        )
        return
    await call(
        dialog.finish_with,
        services.apply_promo_to_cart_line,
        answered_by=context.customer.telegram_id,
        telegram_id=context.customer.telegram_id,
        product_id=product_id,
        code=code,
    )
    await show_line(update, context, product_id, notice=str(texts.PROMO_ACCEPTED))


async def drop_promo(update: Update, context: ShopContext) -> None:
    """Detaches the promo code from the cart line."""
    product_id = callbacks.CART_DROP_PROMO.parse(update.callback_query.data)
    await call(
        services.remove_promo_from_cart_line, telegram_id=context.customer.telegram_id, product_id=product_id
    )
    await screens.answer(update, context, str(texts.PROMO_REMOVED))
    await show_line(update, context, product_id)


# --- checkout ------------------------------------------------------------------------------
async def checkout(update: Update, context: ShopContext) -> None:
    """Shows the total to pay for everything in the cart, with a button to pay exactly that."""
    await show_checkout(update, context)


async def show_checkout(update: Update, context: ShopContext) -> None:
    telegram_id = context.customer.telegram_id
    product_ids = await call(manual_selectors.cart_product_ids, telegram_id=telegram_id)
    resume = callbacks.CHECKOUT.build()
    answered = await checkout_questions.answers_for(update, context, product_ids, resume=resume)
    if answered is None:
        return  # a manual product's questions are being asked first
    found = await call(services.quote_cart, telegram_id=telegram_id, answers=answered.answers)
    if found.is_empty:
        raise CartEmpty()
    text = texts.confirm_checkout(found, balance=context.customer.balance)
    await show(update, context, text, keyboards.confirm_checkout(found))


@ratelimit.limited(ratelimit.PURCHASE)
async def confirm_checkout(update: Update, context: ShopContext) -> None:
    """Buys the cart its confirmation showed, at that total and once, or nothing, and shows every order."""
    intent_id = callbacks.CONFIRM_CHECKOUT.parse(update.callback_query.data)
    try:
        purchases = await call(
            services.checkout_cart, telegram_id=context.customer.telegram_id, intent_id=intent_id
        )
    except InsufficientFunds as error:
        back = common_keyboards.back_row(callbacks.CART)
        await show_shortfall(update, context, price=error.params["amount"], back=back)
        return
    except (CartChanged, IntentExpired) as error:
        await screens.answer(update, context, common_texts.alert(error), alert=True)
        await show_checkout(update, context)
        return
    funnel.record(step=funnel.PURCHASED)
    found = delivery.receipt(purchases, full=texts.receipt(purchases), short=texts.short_receipt(purchases))
    await show(update, context, found.text, keyboards.receipt(purchases))
    await delivery.send_file(context.bot, context.customer.telegram_id, found)
    await stock_alerts.after_sale(context.bot, purchases)


HANDLERS = [
    CallbackQueryHandler(cart, pattern=callbacks.CART.pattern),
    CallbackQueryHandler(cart_page, pattern=callbacks.CART_PAGE.pattern),
    CallbackQueryHandler(add, pattern=callbacks.CART_ADD.pattern),
    CallbackQueryHandler(clear, pattern=callbacks.CART_CLEAR.pattern),
    CallbackQueryHandler(line, pattern=callbacks.CART_LINE.pattern),
    CallbackQueryHandler(change_quantity, pattern=callbacks.CART_QUANTITY.pattern),
    CallbackQueryHandler(remove, pattern=callbacks.CART_REMOVE.pattern),
    CallbackQueryHandler(ask_promo, pattern=callbacks.CART_PROMO.pattern),
    CallbackQueryHandler(drop_promo, pattern=callbacks.CART_DROP_PROMO.pattern),
    CallbackQueryHandler(checkout, pattern=callbacks.CHECKOUT.pattern),
    CallbackQueryHandler(confirm_checkout, pattern=callbacks.CONFIRM_CHECKOUT.pattern),
]
PROMPTS = {CART_PROMO: apply_promo}
FEATURE = Feature("cart", handlers=HANDLERS, prompts=PROMPTS)
