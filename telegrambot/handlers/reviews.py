"""Reviews: everyone pages through a product's reviews; buyers rate it 1–5 and may add a text.

The rating is saved as soon as it is pressed, so a customer who did not buy
the item hears so at once; the text that may follow edits the same review.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from catalog import selectors, services
from telegrambot import callbacks, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import reviews as keyboards
from telegrambot.screens import show_changed as show  # a press that changes nothing is only answered
from telegrambot.services import dialog
from telegrambot.texts import common as common_texts
from telegrambot.texts import reviews as texts

REVIEW_TEXT = "review_text"  # typing the text of the review of data["product_id"], rated data["rating"]


async def reviews(update: Update, context: ShopContext) -> None:
    """Lists one page of a product's reviews, newest first, under its average rating."""
    product_id, number = callbacks.REVIEWS.parse(update.callback_query.data)
    card = await call(selectors.get_product_card, product_id=product_id)
    page = await call(selectors.list_reviews, product_id=product_id, page=number)
    await show(update, context, texts.reviews(card, page), keyboards.reviews(product_id, page))


async def ask_rating(update: Update, context: ShopContext) -> None:
    """Offers one to five stars for the product."""
    product_id = callbacks.RATE.parse(update.callback_query.data)
    card = await call(selectors.get_product_card, product_id=product_id)
    await show(update, context, texts.ask_rating(card), keyboards.ratings(product_id))


async def rate(update: Update, context: ShopContext) -> None:
    """Saves the buyer's rating and asks for an optional text."""
    product_id, rating = callbacks.RATE_WITH.parse(update.callback_query.data)
    telegram_id = context.customer.telegram_id
    review = await call(
        services.save_review, telegram_id=telegram_id, product_id=product_id, rating=int(rating)
    )
    data = {"product_id": product_id, "rating": review.rating}
    await call(dialog.set_state, telegram_id=telegram_id, state=REVIEW_TEXT, data=data)
    await show(update, context, texts.ask_text(review), keyboards.ask_text(product_id))


async def save_text(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Adds the typed text to the review and thanks the buyer."""
    telegram_id, product_id = context.customer.telegram_id, state.data["product_id"]
    await call(
        dialog.finish_with,
        services.save_review,
        answered_by=telegram_id,
        telegram_id=telegram_id,
        product_id=product_id,
        rating=state.data["rating"],
        text=update.message.text,
    )
    await screens.send(update, context, str(texts.THANKS), keyboards.done(product_id))


async def skip_text(update: Update, context: ShopContext) -> None:
    """Leaves the review without a text and thanks the buyer."""
    product_id = callbacks.SKIP_REVIEW_TEXT.parse(update.callback_query.data)
    state = await call(dialog.get_state, telegram_id=context.customer.telegram_id)
    if state is None or state.state != REVIEW_TEXT or state.data.get("product_id") != product_id:
        await screens.answer(update, context, common_texts.alert(common_texts.EXPIRED_PROMPT), alert=True)
        return
    await call(dialog.clear_state, telegram_id=context.customer.telegram_id)
    await show(update, context, str(texts.THANKS), keyboards.done(product_id))


HANDLERS = [
    CallbackQueryHandler(reviews, pattern=callbacks.REVIEWS.pattern),
    CallbackQueryHandler(ask_rating, pattern=callbacks.RATE.pattern),
    CallbackQueryHandler(rate, pattern=callbacks.RATE_WITH.pattern),
    CallbackQueryHandler(skip_text, pattern=callbacks.SKIP_REVIEW_TEXT.pattern),
]
PROMPTS = {REVIEW_TEXT: save_text}
FEATURE = Feature("reviews", handlers=HANDLERS, prompts=PROMPTS)
