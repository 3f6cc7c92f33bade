"""Reporting a problem with a purchase: a reason, optional text, an optional photo or document.

The draft (purchase, reason, text) lives in the dialog state, server-side;
the claim is written once, at the last step, by ``catalog.services.open_claim``,
which re-checks the purchase's owner, warranty and the claim limit.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from catalog.selectors import claims as claim_selectors
from catalog.services import claims as claim_services
from telegrambot import callbacks, prompting, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature
from telegrambot.keyboards import claims as keyboards
from telegrambot.services import dialog
from telegrambot.texts import claims as texts
from telegrambot.texts import common as common_texts

TEXT = "claim_text"
FILE = "claim_file"


async def start(update: Update, context: ShopContext) -> None:
    """Offers the reasons for a problem with a purchase, or says why it cannot be claimed."""
    purchase_id = callbacks.CLAIM_START.parse(update.callback_query.data)
    found = await call(
        claim_selectors.get_claimability, telegram_id=context.customer.telegram_id, purchase_id=purchase_id
    )
    if found.refusal:
        text = texts.cannot_claim(found.purchase.order_number, found.refusal)
        await screens.show(update, context, text, keyboards.back_to_purchases())
        return
    text = texts.choose_reason(found.purchase.order_number)
    await screens.show(update, context, text, keyboards.reasons(found.purchase.pk))


async def choose_reason(update: Update, context: ShopContext) -> None:
    """Remembers the reason and asks for a description (optional)."""
    purchase_id, reason = callbacks.CLAIM_REASON.parse(update.callback_query.data)
    found = await call(
        claim_selectors.get_claimability, telegram_id=context.customer.telegram_id, purchase_id=purchase_id
    )
    if found.refusal:
        text = texts.cannot_claim(found.purchase.order_number, found.refusal)
        await screens.show(update, context, text, keyboards.back_to_purchases())
        return
    data = {"purchase": purchase_id, "reason": reason, "text": ""}
    await prompting.ask(update, context, TEXT, data, str(texts.ASK_TEXT), keyboards.skip(purchase_id))


async def take_text(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Keeps the description and asks for a photo or document (optional)."""
    text = update.message.text or ""
    purchase_id = state.data["purchase"]
    if len(text) > claim_services.TEXT_MAX_LENGTH:
        await screens.send(update, context, str(texts.TEXT_TOO_LONG), keyboards.skip(purchase_id))
        return
    await call(
        dialog.set_state,
        telegram_id=context.customer.telegram_id,
        state=FILE,
        data={**state.data, "text": text},
    )
    await screens.send(update, context, str(texts.ASK_FILE), keyboards.skip(purchase_id))


async def file_expected(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Reminds that this step takes a photo or a document, or Skip."""
    await screens.send(update, context, str(texts.FILE_EXPECTED), keyboards.skip(state.data["purchase"]))


async def take_file(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Opens the claim with the photo or document sent and gives its number."""
    message = update.message
    if message.photo:
        attachment = claim_services.Attachment("photo", message.photo[-1].file_id)
    else:
        attachment = claim_services.Attachment("document", message.document.file_id)
    await open_claim(update, context, state, attachment)


async def skip(update: Update, context: ShopContext) -> None:
    """Skips the description, or the file (and then opens the claim)."""
    purchase_id = callbacks.CLAIM_SKIP.parse(update.callback_query.data)
    state = await call(dialog.get_state, telegram_id=context.customer.telegram_id)
    if state is None or state.state not in (TEXT, FILE) or state.data.get("purchase") != purchase_id:
        await screens.answer(update, context, common_texts.alert(texts.STEP_OVER), alert=True)
        return
    if state.state == TEXT:
        await prompting.ask(
            update, context, FILE, state.data, str(texts.ASK_FILE), keyboards.skip(purchase_id)
        )
        return
    await open_claim(update, context, state, None)


async def open_claim(
    update: Update, context: ShopContext, state: dialog.Dialog, attachment: claim_services.Attachment | None
) -> None:
    telegram_id = context.customer.telegram_id
    claim = await call(
        dialog.finish_with,
        claim_services.open_claim,
        answered_by=telegram_id,
        telegram_id=telegram_id,
        purchase_id=state.data["purchase"],
        reason=state.data["reason"],
        text=state.data["text"],
        attachment=attachment,
    )
    await screens.show(update, context, texts.opened(claim.pk), keyboards.back_to_purchases())


HANDLERS = [
    CallbackQueryHandler(start, pattern=callbacks.CLAIM_START.pattern),
    CallbackQueryHandler(choose_reason, pattern=callbacks.CLAIM_REASON.pattern),
    CallbackQueryHandler(skip, pattern=callbacks.CLAIM_SKIP.pattern),
]
PROMPTS = {TEXT: take_text, FILE: file_expected}
MEDIA_PROMPTS = {TEXT: take_file, FILE: take_file}
FEATURE = Feature("claims", handlers=HANDLERS, prompts=PROMPTS, media_prompts=MEDIA_PROMPTS)
