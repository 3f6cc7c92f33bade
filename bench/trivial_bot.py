"""The ceiling: a python-telegram-bot bot with the shop's five browse screens and no database.

    python -m bench.trivial_bot <api url> <token>

Same library, same HTTP client, same callback data and the same answer-then-edit
as the shop's ``screens.show``; the catalog is a few constants. What the shop's
``runbot`` reaches against this bot, over the same fake Bot API in the same run,
is the figure that says how much the shop itself costs.
"""

from __future__ import annotations

import os
import sys

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, Defaults
from telegram.request import HTTPXRequest

CATEGORIES = {number: f"Category {number}" for number in range(1, 11)}
PRODUCTS = {
    number: (f"Product {number}", (number - 1) // 10 + 1, f"{number * 10}.00") for number in range(1, 101)
}
# Updates handled at once; the shop's runbot is measured with the same number.
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))


def button(label: str, data: str) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(label, callback_data=data)]


async def edit(update: Update, text: str, keyboard: InlineKeyboardMarkup) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(text, reply_markup=keyboard)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows the main menu."""
    assert update.effective_chat is not None and update.effective_user is not None
    name = update.effective_user.first_name
    keyboard = InlineKeyboardMarkup([button("🛍 Shop", "shop"), button("👤 Profile", "prof")])
    await context.bot.send_message(
        update.effective_chat.id, f"👋 Hello, <b>{name}</b>!\nBalance: 0.00 RUB", reply_markup=keyboard
    )


async def shop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Lists the categories."""
    rows = [button(name, f"cat:{number}:1") for number, name in CATEGORIES.items()]
    await edit(update, "🛍 <b>Choose a category</b>", InlineKeyboardMarkup([*rows, button("⬅️ Back", "menu")]))


async def category(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Lists the products of a category."""
    assert update.callback_query is not None and update.callback_query.data is not None
    number = int(update.callback_query.data.split(":")[1])
    rows = [
        button(f"{name} · {price} RUB", f"prod:{product}:1")
        for product, (name, in_category, price) in PRODUCTS.items()
        if in_category == number
    ]
    text = f"📂 <b>{CATEGORIES[number]}</b>\nChoose a product:"
    await edit(update, text, InlineKeyboardMarkup([*rows, button("⬅️ Back", "shop")]))


async def product(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows a product card."""
    assert update.callback_query is not None and update.callback_query.data is not None
    number = int(update.callback_query.data.split(":")[1])
    name, in_category, price = PRODUCTS[number]
    text = f"<b>{name}</b>\n\nA product.\n\n💰 Price: {price} RUB\n📦 In stock: 10"
    keyboard = InlineKeyboardMarkup(
        [button("💳 Buy", f"buy:{number}"), button("⬅️ Back", f"cat:{in_category}:1")]
    )
    await edit(update, text, keyboard)


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Shows the main menu in place of the current screen."""
    keyboard = InlineKeyboardMarkup([button("🛍 Shop", "shop"), button("👤 Profile", "prof")])
    await edit(update, "👋 Main menu", keyboard)


def main(api_url: str, token: str) -> None:
    application = (
        Application.builder()
        .token(token)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .defaults(
            Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
        )
        .request(HTTPXRequest(connection_pool_size=256))
        .concurrent_updates(max(CONCURRENCY, 1))
        .build()
    )
    application.add_handlers(
        [
            CommandHandler("start", start),
            CallbackQueryHandler(shop, pattern=r"^shop$"),
            CallbackQueryHandler(category, pattern=r"^cat:\d+:\d+$"),
            CallbackQueryHandler(product, pattern=r"^prod:\d+:\d+$"),
            CallbackQueryHandler(menu, pattern=r"^menu$"),
        ]
    )
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
