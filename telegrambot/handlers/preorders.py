"""Pre-orders from a sold-out card: the confirmation, paying from the balance, and cancelling with a refund.

The card (``handlers/catalog.py``) offers Pre-order when the product takes
them. The Pay button carries the price shown; the service refuses one that
changed, a product back in stock and a balance that does not cover it. The
restock delivers the unit and the receipt comes through the payment notices.
Stars orders do not take pre-orders: they are paid from the balance only.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from catalog import selectors
from catalog.services import preorders
from shopbot.errors import InsufficientFunds, PreOrderUnavailable, PriceChanged
from telegrambot import callbacks, ratelimit, screens
from telegrambot.adapter import call
from telegrambot.common_screens import show_shortfall
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import common as common_keyboards
from telegrambot.keyboards import preorders as keyboards
from telegrambot.keyboards.catalog import takes_preorders
from telegrambot.texts import common as common_texts
from telegrambot.texts import preorders as texts


async def ask_preorder(update: Update, context: ShopContext) -> None:
    """Shows what a pre-order costs and how it is delivered, with a button to pay that price."""
    product_id = callbacks.PREORDER.parse(update.callback_query.data)
    await show_confirmation(update, context, product_id)


async def show_confirmation(update: Update, context: ShopContext, product_id: int) -> None:
    card = await call(selectors.get_product_card, product_id=product_id)
    if not takes_preorders(card):
        raise PreOrderUnavailable(product=card.product.name)
    await screens.show_changed(update, context, texts.confirm(card.product), keyboards.confirm(card.product))


@ratelimit.limited(ratelimit.PURCHASE)
async def pay_preorder(update: Update, context: ShopContext) -> None:
    """Pays the pre-order its confirmation showed, at that price, and shows what was paid."""
    product_id, price = callbacks.PREORDER_PAY.parse(update.callback_query.data)
    try:
        preorder = await call(
            preorders.place_preorder,
            telegram_id=context.customer.telegram_id,
            product_id=product_id,
            price=price,
        )
    except InsufficientFunds:
        back = common_keyboards.back_row(callbacks.PRODUCT, product_id, 1)
        await show_shortfall(update, context, price=price, back=back)
        return
    except PriceChanged as error:
        await screens.answer(update, context, common_texts.alert(error), alert=True)
        await show_confirmation(update, context, product_id)
        return
    await screens.show_changed(update, context, texts.placed(preorder), keyboards.placed(preorder))


async def cancel_preorder(update: Update, context: ShopContext) -> None:
    """Cancels the customer's own open pre-order and says the money is back on the balance."""
    preorder_id = callbacks.PREORDER_CANCEL.parse(update.callback_query.data)
    cancelled = await call(
        preorders.cancel_preorder, telegram_id=context.customer.telegram_id, preorder_id=preorder_id
    )
    await screens.answer(update, context, texts.cancelled(cancelled.price))
    text = texts.cancelled(cancelled.price)
    await screens.show_changed(update, context, text, keyboards.cancelled(cancelled.product_id))


HANDLERS = [
    CallbackQueryHandler(ask_preorder, pattern=callbacks.PREORDER.pattern),
    CallbackQueryHandler(pay_preorder, pattern=callbacks.PREORDER_PAY.pattern),
    CallbackQueryHandler(cancel_preorder, pattern=callbacks.PREORDER_CANCEL.pattern),
]
FEATURE = Feature("preorders", handlers=HANDLERS)
