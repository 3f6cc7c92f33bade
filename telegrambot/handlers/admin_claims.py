"""The admin menu's Claims: the undecided claims, a claim's card, and the decisions with a confirmation.

Every screen and decision re-checks ``manage_claims`` in the selector or
service it calls; the customer is told after the decision committed
(``telegrambot.claim_notices``).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from catalog.selectors import claims as selectors
from catalog.services import claims as services
from catalog.services import rail_refunds
from telegrambot import callbacks, claim_notices, delivery, providers, screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.features import Feature, Job
from telegrambot.keyboards import admin_claims as keyboards
from telegrambot.keyboards import common as common_keyboards
from telegrambot.prompting import ask, require
from telegrambot.services import dialog
from telegrambot.texts import admin_claims as texts

REJECT_REASON = "admin_claim_reject"
CLAIM_NOTICES_EVERY = 60  # seconds: decisions made in the web admin reach the customer within a minute
DECISIONS = {
    "replace": (services.replace_claim, {}),
    "wait": (services.wait_for_stock, {}),
    "refund": (services.refund_claim, {"unit": "defective"}),
    "restock": (services.refund_claim, {"unit": "restock"}),
    "manual": (rail_refunds.record_manual_claim_refund, {}),
}


async def list_claims(update: Update, context: ShopContext) -> None:
    """Lists the claims waiting for a decision, oldest first."""
    number = callbacks.ADMIN_CLAIMS.parse(update.callback_query.data)
    page = await call(selectors.list_claims, actor=context.customer, page=number)
    await screens.show(update, context, texts.claims(page), keyboards.claims(page.items, page))


async def show_claim(update: Update, context: ShopContext) -> None:
    """Shows a claim: the purchase, the complaint, the customer's record and the decision buttons."""
    claim_id = callbacks.ADMIN_CLAIM.parse(update.callback_query.data)
    await show_card(update, context, claim_id)


async def show_card(update: Update, context: ShopContext, claim_id: int) -> None:
    card = await call(selectors.get_claim_card, actor=context.customer, claim_id=claim_id)
    values = [card.claim.purchase] if card.value is not None else []
    receipt = delivery.receipt(values, full=texts.card(card), short=texts.card(card, with_value=False))
    keyboard = keyboards.card(card.claim, stars_order=card.stars_order is not None)
    await screens.show(update, context, receipt.text, keyboard)
    await delivery.send_file(context.bot, context.customer.telegram_id, receipt)


async def send_attachment(update: Update, context: ShopContext) -> None:
    """Sends the photo or document the customer attached to the claim."""
    claim_id = callbacks.ADMIN_CLAIM_FILE.parse(update.callback_query.data)
    card = await call(selectors.get_claim_card, actor=context.customer, claim_id=claim_id)
    await screens.answer(update, context)
    if card.claim.attachment_kind == "photo":
        await context.bot.send_photo(context.customer.telegram_id, card.claim.attachment_id)
    elif card.claim.attachment_id:
        await context.bot.send_document(context.customer.telegram_id, card.claim.attachment_id)


async def ask_decision(update: Update, context: ShopContext) -> None:
    """Asks to confirm a decision on the claim."""
    claim_id, decision = callbacks.ADMIN_CLAIM_DECIDE.parse(update.callback_query.data)
    await require(context, "manage_claims", "decide_claim")
    order = None
    if decision == "stars":
        card = await call(selectors.get_claim_card, actor=context.customer, claim_id=claim_id)
        order = card.stars_order
    text = texts.confirm(claim_id, decision, order)
    await screens.show(update, context, text, keyboards.confirm(claim_id, decision))


async def decide(update: Update, context: ShopContext) -> None:
    """Makes the confirmed decision, tells the customer and shows the result."""
    claim_id, decision = callbacks.ADMIN_CLAIM_YES.parse(update.callback_query.data)
    if decision == "stars":
        # Telegram is asked on the event loop, between the two services (telegrambot/providers.py).
        await providers.refund_claim_stars(context.bot, actor=context.customer, claim_id=claim_id)
    else:
        service, options = DECISIONS[decision]
        await call(service, actor=context.customer, claim_id=claim_id, **options)
    await show_result(update, context, claim_id)


async def ask_reject_reason(update: Update, context: ShopContext) -> None:
    """Asks for the reason of a rejection, which the customer will see."""
    claim_id = callbacks.ADMIN_CLAIM_REJECT.parse(update.callback_query.data)
    await require(context, "manage_claims", "reject_claim")
    await ask(
        update, context, REJECT_REASON, {"claim": claim_id}, str(texts.ASK_REASON), common_keyboards.cancel()
    )


async def reject(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Rejects the claim with the typed reason and tells the customer."""
    claim = await call(
        dialog.finish_with,
        services.reject_claim,
        answered_by=context.customer.telegram_id,
        actor=context.customer,
        claim_id=state.data["claim"],
        reason=update.message.text,
    )
    await show_result(update, context, claim.pk)


async def show_result(update: Update, context: ShopContext, claim_id: int) -> None:
    told = await claim_notices.tell_customers(context.bot, [claim_id])
    card = await call(selectors.get_claim_card, actor=context.customer, claim_id=claim_id)
    status = card.claim.status
    text = texts.decided(claim_id, status) if told else texts.decided_untold(claim_id, status)
    await screens.show(update, context, text, keyboards.back_to_claim(claim_id))


async def tell_owed_customers(context: ShopContext) -> None:
    """Tells customers the decisions made elsewhere (the web admin, an import) or not delivered before."""
    await claim_notices.tell_customers(context.bot, None)


HANDLERS = [
    CallbackQueryHandler(list_claims, pattern=callbacks.ADMIN_CLAIMS.pattern),
    CallbackQueryHandler(show_claim, pattern=callbacks.ADMIN_CLAIM.pattern),
    CallbackQueryHandler(send_attachment, pattern=callbacks.ADMIN_CLAIM_FILE.pattern),
    CallbackQueryHandler(ask_decision, pattern=callbacks.ADMIN_CLAIM_DECIDE.pattern),
    CallbackQueryHandler(decide, pattern=callbacks.ADMIN_CLAIM_YES.pattern),
    CallbackQueryHandler(ask_reject_reason, pattern=callbacks.ADMIN_CLAIM_REJECT.pattern),
]
PROMPTS = {REJECT_REASON: reject}
JOBS = [Job("claim_notices", tell_owed_customers, every=CLAIM_NOTICES_EVERY, first=7)]
FEATURE = Feature("admin_claims", handlers=HANDLERS, prompts=PROMPTS, jobs=JOBS)
