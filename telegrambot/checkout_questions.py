"""A manual product's checkout questions, asked before its confirmation or invoice, in every feature.

Buying one unit, checking out the cart and both Stars invoices call
``answers_for`` first. With no questions it returns ``{}`` at once. Otherwise
the first call asks them one by one (``ANSWERING`` in ``DialogState``,
answered in ``handlers/checkout_answers``), and ends with a Continue button
that presses the same button again; that second call finds the answers
(``ANSWERED``), takes them and returns them, and the quote or invoice checks
them again and keeps them on its purchase intent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from catalog.selectors import manual as manual_selectors
from catalog.selectors.manual import Question
from telegrambot import screens
from telegrambot.adapter import call
from telegrambot.context import ShopContext
from telegrambot.keyboards import common as common_keyboards
from telegrambot.services import dialog
from telegrambot.texts import checkout_answers as texts

ANSWERING = "checkout_answering"  # data: questions, answers so far, the button to press again
ANSWERED = "checkout_answered"  # data: the products asked about and their answers


@dataclass(frozen=True)
class Answered:
    """The checkout answers by product id, and what the caller asked to keep while they were typed."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    kept: dict[str, Any] = field(default_factory=dict)


async def answers_for(
    update: Update,
    context: ShopContext,
    product_ids: list[int],
    *,
    resume: str,
    keep: dict[str, Any] | None = None,
) -> Answered | None:
    """Return the checkout answers for these products, or start asking them and return None.

    ``resume`` is the callback data of the pressed button (built by the
    caller's route), pressed again by Continue once every question is answered.
    ``keep`` (the promo code chosen for the product) replaces the caller's own
    dialog state while the questions are asked, and comes back as ``kept``.
    """
    questions = await call(manual_selectors.list_questions, product_ids=product_ids)
    if not questions:
        return Answered(kept=keep or {})
    asked = sorted({item.product_id for item in questions})
    telegram_id = context.customer.telegram_id
    state = await call(dialog.get_state, telegram_id=telegram_id)
    if state is not None and state.state == ANSWERED and state.data.get("products") == asked:
        await call(dialog.take_state, telegram_id=telegram_id, state=ANSWERED)
        return Answered(answers=state.data.get("answers", {}), kept=state.data.get("kept", {}))
    data = {
        "questions": [asdict(item) for item in questions],
        "answers": [],
        "resume": resume,
        "kept": keep or {},
    }
    await call(dialog.set_state, telegram_id=telegram_id, state=ANSWERING, data=data)
    await screens.show(
        update,
        context,
        texts.question(questions[0], number=1, total=len(questions)),
        common_keyboards.cancel(),
    )
    return None


async def take_answer(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Keep one typed answer (checked against its question's length) and ask the next, or offer Continue."""
    questions = [Question(**item) for item in state.data["questions"]]
    answers: list[str] = list(state.data["answers"])
    current = questions[len(answers)]
    text = (update.message.text or "").strip() if update.message is not None else ""
    if not text or len(text) > current.max_length:
        await screens.send(update, context, texts.too_long(current), common_keyboards.cancel())
        return
    answers.append(text)
    telegram_id = context.customer.telegram_id
    if len(answers) < len(questions):
        data = {**state.data, "answers": answers}
        await call(dialog.set_state, telegram_id=telegram_id, state=ANSWERING, data=data)
        following = questions[len(answers)]
        question = texts.question(following, number=len(answers) + 1, total=len(questions))
        await screens.send(update, context, question, common_keyboards.cancel())
        return
    by_product: dict[str, list[str]] = {}
    for item, answer in zip(questions, answers, strict=True):
        by_product.setdefault(str(item.product_id), []).append(answer)
    products = sorted({item.product_id for item in questions})
    done = {
        "products": products,
        "answers": by_product,
        "resume": state.data["resume"],
        "kept": state.data.get("kept", {}),
    }
    await call(dialog.set_state, telegram_id=telegram_id, state=ANSWERED, data=done)
    await screens.send(update, context, str(texts.ANSWERED), continue_keyboard(state.data["resume"]))


def continue_keyboard(resume: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(str(texts.CONTINUE), callback_data=resume)],
            common_keyboards.cancel().inline_keyboard[0],
        ]
    )


async def remind(update: Update, context: ShopContext, state: dialog.Dialog) -> None:
    """Answers text sent after the last answer: the Continue button goes on."""
    await screens.send(update, context, str(texts.USE_THE_BUTTON), continue_keyboard(state.data["resume"]))
