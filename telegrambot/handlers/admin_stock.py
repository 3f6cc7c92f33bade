"""The admin's stock: upload units (pasted or a file) with a preview, list and delete units, alerts.

An upload is previewed first; the previewed lines are staged
(``catalog.services.staged_uploads``, as in the web admin) until the admin
confirms, and ``add_stock`` counts them again when adding. Every handler re-checks
``manage_stock`` through the selector or service it calls.
"""

from __future__ import annotations

from django.conf import settings
from telegram import Message, Update
from telegram.ext import CallbackQueryHandler

from catalog import services
from catalog.models import Product
from catalog.selectors import claims as claim_selectors
from catalog.selectors import preorders, waitlist
from catalog.selectors import staff as selectors
from catalog.services import delivery_files, staged_uploads, stock_files
from telegrambot import callbacks, claim_notices, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.jobs import stock_alerts
from telegrambot.keyboards import admin_stock as keyboards
from telegrambot.prompting import ask, finish, require
from telegrambot.services import dialog
from telegrambot.texts import admin_stock as texts

UPLOAD = "admin_stock_upload"
THRESHOLD = "admin_stock_threshold"
FILES = "admin_stock_files"  # documents, each one unit of a "file" product
SHARED_FILE = "admin_stock_shared_file"
# Files above this size, and uploads above this many lines, get a progress message.
PROGRESS_BYTES = 256 * 1024
PROGRESS_LINES = 5000


async def overview(update: Update, context: ShopContext) -> None:
    """Lists the products running low and the categories to choose a product from."""
    number = callbacks.ADMIN_STOCK.parse(update.callback_query.data)
    low = await call(selectors.list_low_stock, actor=context.customer)
    page = await call(selectors.list_categories, actor=context.customer, page=number, codename="manage_stock")
    await screens.show(update, context, texts.overview(low, page.number), keyboards.overview(page))


async def category(update: Update, context: ShopContext) -> None:
    """Lists a category's products with their unsold units."""
    category_id, number = callbacks.ADMIN_STOCK_CATEGORY.parse(update.callback_query.data)
    item, page = await call(
        selectors.get_category,
        actor=context.customer,
        category_id=category_id,
        page=number,
        codename="manage_stock",
    )
    await screens.show(
        update, context, texts.category(item.name, page.number), keyboards.category(item, page)
    )


async def product(update: Update, context: ShopContext, product_id: int | None = None) -> None:
    """Shows a product's unsold units and alert threshold, leaving any stock question."""
    if product_id is None:
        product_id = callbacks.ADMIN_STOCK_PRODUCT.parse(update.callback_query.data)
    card = await call(
        selectors.get_product, actor=context.customer, product_id=product_id, codename="manage_stock"
    )
    defective = await call(claim_selectors.count_defective, product_id=product_id)
    waiting = await call(waitlist.count_waiting, actor=context.customer, product_id=product_id)
    queued = await call(preorders.count_preorders, actor=context.customer, product_id=product_id)
    await finish(context)
    text = texts.product(card, waiting, defective=defective, preorders=queued)
    await screens.show(update, context, text, keyboards.product(card))


async def ask_units(update: Update, context: ShopContext) -> None:
    """Asks for units, pasted or as a file."""
    product_id = callbacks.ADMIN_STOCK_ADD.parse(update.callback_query.data)
    card = await call(
        selectors.get_product, actor=context.customer, product_id=product_id, codename="manage_stock"
    )
    if card.product.delivery == Product.DeliveryKind.FILE:
        await ask(
            update,
            context,
            FILES,
            {"product_id": product_id},
            str(texts.ASK_FILES),
            keyboards.cancel_to(product_id),
        )
        return
    await ask(
        update,
        context,
        UPLOAD,
        {"product_id": product_id},
        str(texts.ASK_UNITS),
        keyboards.cancel_to(product_id),
    )


async def pasted_units(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Previews pasted units."""
    await preview(update, context, state.data["product_id"], stock_files.split_pasted(update.message.text))


async def file_of_units(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Downloads a .txt/.csv file of units (checked by name and size first) and previews it."""
    document = update.message.document
    if document is None:
        await screens.send(
            update, context, str(texts.FILE_EXPECTED), keyboards.cancel_to(state.data["product_id"])
        )
        return
    await call(
        stock_files.check_stock_file,
        actor=context.customer,
        file_name=document.file_name,
        file_size=document.file_size,
    )
    progress = None
    if (document.file_size or 0) > PROGRESS_BYTES:
        progress = await screens.send(update, context, str(texts.READING))
    telegram_file = await document.get_file()
    content = bytes(await telegram_file.download_as_bytearray())
    lines = await call(stock_files.read_stock_file, file_name=document.file_name, content=content)
    await preview(update, context, state.data["product_id"], lines, progress=progress)


async def preview(
    update: Update,
    context: ShopContext,
    product_id: int,
    lines: list[str],
    *,
    progress: Message | None = None,
) -> None:
    """Counts what the upload would add, keeps it for the confirmation, and asks to confirm."""
    report = await call(selectors.preview_upload, actor=context.customer, product_id=product_id, values=lines)
    card = await call(
        selectors.get_product, actor=context.customer, product_id=product_id, codename="manage_stock"
    )
    await call(staged_uploads.stage_upload, actor=context.customer, product_id=product_id, lines=lines)
    text, keyboard = texts.preview(card.product.name, report), keyboards.preview(product_id, report.new)
    if progress is not None:
        await progress.edit_text(text, reply_markup=keyboard)
    else:
        await screens.show(update, context, text, keyboard)


async def confirm_units(update: Update, context: ShopContext) -> None:
    """Adds the previewed units, with a progress message for a large upload."""
    product_id = callbacks.ADMIN_STOCK_CONFIRM.parse(update.callback_query.data)
    await require(context, "manage_stock", "add_stock")
    lines = await call(staged_uploads.read_staged_upload, actor=context.customer, product_id=product_id)
    if lines is None:
        await screens.answer(update, context, str(texts.PREVIEW_EXPIRED), alert=True)
        return
    if len(lines) > PROGRESS_LINES:
        await screens.show(update, context, texts.adding(len(lines)))
    report = await call(services.add_stock, actor=context.customer, product_id=product_id, values=lines)
    await call(staged_uploads.discard_staged_upload, actor=context.customer, product_id=product_id)
    await stock_alerts.rearm(product_id)  # alert again when it runs low next time
    await claim_notices.tell_customers(context.bot, list(report.replaced_claims))
    await finish(context)
    card = await call(
        selectors.get_product, actor=context.customer, product_id=product_id, codename="manage_stock"
    )
    await screens.show(
        update, context, texts.added(card.product.name, report), keyboards.added(product_id, new=report.new)
    )


def file_spec(update: Update) -> delivery_files.FileSpec | None:
    document = update.message.document
    if document is None:
        return None
    return delivery_files.FileSpec(
        name=document.file_name or "file",
        size=document.file_size,
        file_id=document.file_id,
        mime_type=document.mime_type or "",
    )


async def document_expected(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Refuses text (or a photo) where a document is asked for, keeping the question."""
    await screens.send(
        update, context, str(texts.DOCUMENT_EXPECTED), keyboards.cancel_to(state.data["product_id"])
    )


async def file_unit(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Adds one sent document as a unit (refused above 50 MB) and waits for the next."""
    spec, product_id = file_spec(update), state.data["product_id"]
    if spec is None:
        await document_expected(update, context, state)
        return
    files = [spec]
    added = await call(
        delivery_files.add_file_stock, actor=context.customer, product_id=product_id, files=files
    )
    await stock_alerts.rearm(product_id)
    card = await call(
        selectors.get_product, actor=context.customer, product_id=product_id, codename="manage_stock"
    )
    text = texts.file_added(spec.name, added, units=card.stock)
    await screens.send(update, context, text, keyboards.cancel_to(product_id))


async def ask_shared_file(update: Update, context: ShopContext) -> None:
    """Asks for the file every buyer of a shared-file product receives."""
    product_id = callbacks.ADMIN_STOCK_SHARED_FILE.parse(update.callback_query.data)
    await require(context, "manage_stock", "set_shared_file")
    await ask(
        update,
        context,
        SHARED_FILE,
        {"product_id": product_id},
        str(texts.ASK_SHARED_FILE),
        keyboards.cancel_to(product_id),
    )


async def shared_file(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Sets the sent document as the shared file (refused above 50 MB)."""
    spec, product_id = file_spec(update), state.data["product_id"]
    if spec is None:
        await document_expected(update, context, state)
        return
    item = await call(
        delivery_files.set_shared_file, actor=context.customer, product_id=product_id, file=spec
    )
    await finish(context)
    await screens.send(
        update, context, texts.shared_file_set(item.unlimited_value), keyboards.added(product_id, new=1)
    )


async def switch_kind(update: Update, context: ShopContext) -> None:
    """Switches a product between delivering text and delivering files."""
    product_id, kind = callbacks.ADMIN_STOCK_KIND.parse(update.callback_query.data)
    await call(delivery_files.set_delivery_kind, actor=context.customer, product_id=product_id, kind=kind)
    await product(update, context, product_id)


async def list_units(update: Update, context: ShopContext) -> None:
    """Lists a page of a product's unsold units."""
    product_id, number = callbacks.ADMIN_STOCK_UNITS.parse(update.callback_query.data)
    page = await call(selectors.list_units, actor=context.customer, product_id=product_id, page=number)
    card = await call(
        selectors.get_product, actor=context.customer, product_id=product_id, codename="manage_stock"
    )
    text = texts.units(card.product.name, page.number, empty=not page.items)
    await screens.show(update, context, text, keyboards.units(product_id, page))


async def show_unit(update: Update, context: ShopContext) -> None:
    """Shows one unit's value, with a button to delete it."""
    unit_id, number = callbacks.ADMIN_STOCK_UNIT.parse(update.callback_query.data)
    unit = await call(selectors.get_unit, actor=context.customer, unit_id=unit_id)
    await screens.show(update, context, texts.unit(unit), keyboards.unit(unit, number))


async def delete_unit(update: Update, context: ShopContext) -> None:
    """Deletes an unsold unit and goes back to the list."""
    unit_id, number = callbacks.ADMIN_STOCK_UNIT_DELETE.parse(update.callback_query.data)
    unit = await call(selectors.get_unit, actor=context.customer, unit_id=unit_id)
    await call(services.delete_stock_unit, actor=context.customer, unit_id=unit_id)
    page = await call(selectors.list_units, actor=context.customer, product_id=unit.product_id, page=number)
    text = texts.units(unit.product.name, page.number, empty=not page.items)
    await screens.show(update, context, text, keyboards.units(unit.product_id, page))


async def ask_threshold(update: Update, context: ShopContext) -> None:
    """Asks for the low-stock alert threshold."""
    product_id = callbacks.ADMIN_STOCK_THRESHOLD.parse(update.callback_query.data)
    await require(context, "manage_stock", "set_low_stock_threshold")
    await ask(
        update,
        context,
        THRESHOLD,
        {"product_id": product_id},
        str(texts.ASK_THRESHOLD),
        keyboards.cancel_to(product_id),
    )


async def save_threshold(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Sets the typed threshold and shows the product's stock."""
    product_id = state.data["product_id"]
    await call(
        dialog.finish_with,
        services.set_low_stock_threshold,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        product_id=product_id,
        threshold=update.message.text,
    )
    await product(update, context, product_id)


async def announce(update: Update, context: ShopContext) -> None:
    """Posts "new in stock" about a product to the shop's channel."""
    product_id = callbacks.ADMIN_STOCK_ANNOUNCE.parse(update.callback_query.data)
    card = await call(
        selectors.get_product, actor=context.customer, product_id=product_id, codename="manage_stock"
    )
    if settings.CHANNEL_ID:
        await context.bot.send_message(settings.CHANNEL_ID, texts.new_stock_post(card))
    await screens.answer(update, context, str(texts.ANNOUNCED))


HANDLERS = [
    CallbackQueryHandler(overview, pattern=callbacks.ADMIN_STOCK.pattern),
    CallbackQueryHandler(category, pattern=callbacks.ADMIN_STOCK_CATEGORY.pattern),
    CallbackQueryHandler(product, pattern=callbacks.ADMIN_STOCK_PRODUCT.pattern),
    CallbackQueryHandler(ask_units, pattern=callbacks.ADMIN_STOCK_ADD.pattern),
    CallbackQueryHandler(confirm_units, pattern=callbacks.ADMIN_STOCK_CONFIRM.pattern),
    CallbackQueryHandler(list_units, pattern=callbacks.ADMIN_STOCK_UNITS.pattern),
    CallbackQueryHandler(show_unit, pattern=callbacks.ADMIN_STOCK_UNIT.pattern),
    CallbackQueryHandler(delete_unit, pattern=callbacks.ADMIN_STOCK_UNIT_DELETE.pattern),
    CallbackQueryHandler(ask_threshold, pattern=callbacks.ADMIN_STOCK_THRESHOLD.pattern),
    CallbackQueryHandler(announce, pattern=callbacks.ADMIN_STOCK_ANNOUNCE.pattern),
    CallbackQueryHandler(ask_shared_file, pattern=callbacks.ADMIN_STOCK_SHARED_FILE.pattern),
    CallbackQueryHandler(switch_kind, pattern=callbacks.ADMIN_STOCK_KIND.pattern),
]
PROMPTS = {
    UPLOAD: pasted_units,
    THRESHOLD: save_threshold,
    FILES: document_expected,
    SHARED_FILE: document_expected,
}
MEDIA_PROMPTS = {UPLOAD: file_of_units, FILES: file_unit, SHARED_FILE: shared_file}
FEATURE = Feature("admin_stock", handlers=HANDLERS, prompts=PROMPTS, media_prompts=MEDIA_PROMPTS)
