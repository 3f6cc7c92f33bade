"""Manual fulfilment: products staff deliver by hand, their checkout questions, and the queue of paid orders.

A ``manual`` product has no units: every rail sells it like a shared product
(``take_units`` hands over nothing), and ``record_sales`` writes one
``ManualOrder`` per purchase in the sale's transaction, with the answers the
customer gave at checkout (kept on the purchase intent) and ``due_at`` =
the sale + the product's ``fulfil_hours``. Staff holding ``fulfil_orders``
deliver text and/or a file, or refund; after ``due_at`` the customer may
refund an order that has not arrived. Each decision is made once, under the
order's row lock (a second one raises ``ManualOrderDecided``).

Lock order: the customer row (refunds change the balance), then the order row.
Nothing here sends a message: the bot's jobs tell the customer
(``customer_told_at``) and escalate overdue orders to staff (``escalated_at``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.timezone import localtime, now
from django.utils.translation import gettext as _

from accounts.actors import Actor, actor_customer, actor_label
from accounts.models import Customer
from accounts.services import get_customer_for_update, record_audit, requires
from catalog.manual_models import ManualOrder, ProductQuestion
from catalog.models import Product, Purchase
from catalog.services.common import clean_id, clean_int, clean_line, clean_text
from catalog.services.delivery_files import FileSpec, save_file
from catalog.services.products import lock_product
from payments.models import LedgerEntry
from payments.money import ZERO
from payments.services import change_balance
from shopbot.errors import (
    AnswersNeeded,
    InvalidInput,
    ManualOrderDecided,
    ManualOrderNotFound,
    ManualOrderNotLate,
)

FULFIL_HOURS_MAX = 24 * 30
QUESTIONS_MAX = 3
LABEL_MAX = 100
ANSWER_MAX = 1000
DELIVERED_TEXT_MAX = 4000
Status = ManualOrder.Status


# --- the product's settings [manage_catalog] ----------------------------------------------
@requires("manage_catalog")
@transaction.atomic
def set_fulfil_hours(*, actor: Actor, product_id: object, hours: object) -> Product:
    """Set how many hours staff have to deliver a paid order of the product (1 to 720)."""
    hours = clean_int(hours, minimum=1, maximum=FULFIL_HOURS_MAX, what=_("The time to deliver in hours"))
    product = lock_product(product_id)
    product.fulfil_hours = hours
    product.save(update_fields=["fulfil_hours", "updated"])
    record_audit(actor=actor, action="set_fulfil_hours", target=product.name, details={"hours": hours})
    return product


def clean_question(question: object) -> tuple[str, int]:
    """Return one question as (label, longest answer); ``question`` is a pair or a dict of the two."""
    if isinstance(question, dict):
        question = (question.get("label"), question.get("max_length"))
    if not isinstance(question, (list, tuple)) or len(question) != 2:
        raise InvalidInput(reason=_("Give each question a label and the longest answer it accepts."))
    label = clean_line(question[0], what=_("A question"), max_length=LABEL_MAX)
    longest = clean_int(question[1], minimum=1, maximum=ANSWER_MAX, what=_("The longest answer"))
    return label, longest


def parse_questions(text: object) -> list[tuple[str, int]]:
    """Read questions typed one per line as ``question | longest answer`` (200 when left out); "-": none."""
    if not isinstance(text, str) or len(text) > QUESTIONS_MAX * (LABEL_MAX + 10):
        raise InvalidInput(reason=_("Send one question a line, as: question | longest answer."))
    if text.strip() == "-":
        return []
    questions = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        label, _bar, longest = line.rpartition("|") if "|" in line else (line, "", "200")
        questions.append(clean_question((label, longest)))
    return questions


@requires("manage_catalog")
@transaction.atomic
def set_product_questions(*, actor: Actor, product_id: object, questions: object) -> list[ProductQuestion]:
    """Replace the questions a manual product asks at checkout (up to three; none: asks nothing).

    Orders already paid keep the questions and answers they were sold with.
    """
    if not isinstance(questions, (list, tuple)) or len(questions) > QUESTIONS_MAX:
        raise InvalidInput(
            reason=_("A product asks at most %(maximum)s questions.") % {"maximum": QUESTIONS_MAX}
        )
    cleaned = [clean_question(question) for question in questions]
    product = lock_product(product_id)
    if cleaned and not product.is_manual:
        raise InvalidInput(reason=_("Only a product delivered by hand asks questions at checkout."))
    ProductQuestion.objects.filter(product=product).delete()
    rows = ProductQuestion.objects.bulk_create(
        ProductQuestion(product=product, position=index, label=label, max_length=longest)
        for index, (label, longest) in enumerate(cleaned)
    )
    product.save(update_fields=["updated"])  # the card and the lists are cached: forget them
    record_audit(
        actor=actor,
        action="set_product_questions",
        target=product.name,
        details={"questions": [label for label, _longest in cleaned]},
    )
    return rows


def questions_of(product_ids: Iterable[int]) -> dict[int, list[ProductQuestion]]:
    """Return the questions of each of these products that asks any, in order. One query."""
    found: dict[int, list[ProductQuestion]] = {}
    for question in ProductQuestion.objects.filter(product_id__in=set(product_ids)).order_by(
        "position", "id"
    ):
        found.setdefault(question.product_id, []).append(question)
    return found


# --- answers at checkout ------------------------------------------------------------------------
def clean_answer(question: ProductQuestion, answer: object) -> str:
    text = clean_text(answer, what=question.label, max_length=question.max_length)
    if not text:
        raise InvalidInput(reason=_("%(question)s: write an answer.") % {"question": question.label})
    return text


def clean_answers(*, products: Sequence[Product], answers: object) -> dict[str, list[str]]:
    """Return the checkout answers for those of ``products`` that ask questions, keyed by product id.

    ``answers`` maps a product id (int or str) to its answers in question
    order. A manual product with questions and no (or too few) answers raises
    ``AnswersNeeded``; an answer too long or empty, ``InvalidInput``; answers for
    a product that asks nothing are dropped. One query when a product is manual.
    """
    manual = [product for product in products if product.is_manual]
    if not manual:
        return {}
    given = answers if isinstance(answers, dict) else {}
    asked = questions_of(product.pk for product in manual)
    cleaned: dict[str, list[str]] = {}
    for product in manual:
        questions = asked.get(product.pk, [])
        if not questions:
            continue
        typed = given.get(str(product.pk), given.get(product.pk))
        if not isinstance(typed, (list, tuple)) or len(typed) != len(questions):
            raise AnswersNeeded(product=product.name)
        cleaned[str(product.pk)] = [
            clean_answer(question, answer) for question, answer in zip(questions, typed, strict=True)
        ]
    return cleaned


def open_manual_orders(*, purchases: Sequence[Purchase], answers: dict[str, Any], at: datetime) -> None:
    """Queue a ``ManualOrder`` for each purchase of a manual product (in the sale's transaction).

    ``answers`` are the intent's, cleaned when it was written; a product that
    asks questions without its answers refuses the sale (``AnswersNeeded``).
    Costs nothing when no purchase is manual, two queries otherwise.
    """
    manual = [
        purchase for purchase in purchases if purchase.product is not None and purchase.product.is_manual
    ]
    if not manual:
        return
    asked = questions_of(purchase.product_id for purchase in manual)
    orders = []
    for purchase in manual:
        questions = asked.get(purchase.product_id, [])
        typed = answers.get(str(purchase.product_id), []) if isinstance(answers, dict) else []
        if len(typed) != len(questions):
            raise AnswersNeeded(product=purchase.product_name)
        orders.append(
            ManualOrder(
                purchase=purchase,
                customer=purchase.buyer,
                answers=[
                    {"label": question.label, "answer": answer}
                    for question, answer in zip(questions, typed, strict=True)
                ],
                due_at=purchase.fulfil_by or at + timedelta(hours=purchase.product.fulfil_hours),
                created=at,
            )
        )
    ManualOrder.objects.bulk_create(orders)


# --- deciding an order ------------------------------------------------------------------------
def lock_order(**filters: object) -> ManualOrder:
    """Lock an order row, with its purchase and customer loaded, or raise ``ManualOrderNotFound``."""
    order = (
        ManualOrder.objects.select_for_update(of=("self",))
        .select_related("purchase", "customer")
        .filter(**filters)
        .first()
    )
    if order is None:
        raise ManualOrderNotFound()
    return order


def decide(order: ManualOrder, *, status: str, actor: Actor | None, **fields: object) -> None:
    if not order.is_waiting:
        raise ManualOrderDecided()
    order.status, order.decided_at = status, now()
    order.decided_by = actor_customer(actor) if actor is not None else None
    order.decided_by_label = actor_label(actor)[:100] if actor is not None else ""
    for name, value in fields.items():
        setattr(order, name, value)
    order.save()


@requires("fulfil_orders")
@transaction.atomic
def deliver_order(
    *, actor: Actor, order_id: object, text: object = "", file: FileSpec | None = None
) -> ManualOrder:
    """Deliver a waiting order: a text (up to 4000 characters) and/or a document (up to 50 MB).

    The purchase takes the delivered text and file, so the purchase history
    shows and sends them again. Audited; the customer is told by the bot's job.
    """
    text = clean_text(text, what=_("The delivery"), max_length=DELIVERED_TEXT_MAX)
    if not text and file is None:
        raise InvalidInput(reason=_("Send the delivery as a text or a document."))
    order = lock_order(pk=clean_id(order_id, ManualOrderNotFound))
    if not order.is_waiting:
        raise ManualOrderDecided()
    row = save_file(file) if file is not None else None
    purchase = order.purchase
    purchase.value = text or (row.name if row is not None else "")
    purchase.file = row
    purchase.save(update_fields=["value", "file"])
    decide(order, status=Status.DELIVERED, actor=actor, delivered_text=text, delivered_file=row)
    record_audit(
        actor=actor,
        action="deliver_manual_order",
        target=purchase.order_number,
        details={"file": row.name if row is not None else "", "characters": len(text)},
    )
    return order


def refund(order: ManualOrder, customer: Customer, *, actor: Actor | None) -> None:
    """Return what the purchase cost to the balance (Stars orders too: the shop holds the Stars)."""
    purchase = order.purchase
    amount = purchase.price - purchase.refunded_amount
    if amount > ZERO:
        change_balance(
            customer=customer,
            amount=amount,
            kind=LedgerEntry.Kind.REFUND,
            reason=purchase.product_name,
            reference=purchase.order_number,
            actor=actor_customer(actor) if actor is not None else None,
        )
    purchase.refunded_at, purchase.refunded_amount = now(), purchase.price
    purchase.save(update_fields=["refunded_at", "refunded_amount"])
    decide(order, status=Status.REFUNDED, actor=actor)


@requires("fulfil_orders")
@transaction.atomic
def refund_order(*, actor: Actor, order_id: object) -> ManualOrder:
    """Refund a waiting order to the customer's balance instead of delivering it. Audited."""
    customer_id = (
        ManualOrder.objects.filter(pk=clean_id(order_id, ManualOrderNotFound))
        .values_list("customer__telegram_id", flat=True)
        .first()
    )
    if customer_id is None:
        raise ManualOrderNotFound()
    customer = get_customer_for_update(telegram_id=customer_id)
    order = lock_order(pk=clean_id(order_id, ManualOrderNotFound))
    refund(order, customer, actor=actor)
    record_audit(actor=actor, action="refund_manual_order", target=order.purchase.order_number)
    return order


@transaction.atomic
def refund_late_order(*, telegram_id: int, purchase_id: object) -> ManualOrder:
    """Let the customer refund their own order (by its purchase, from the history) not delivered by ``due_at``.

    Anyone else's purchase, one that is not a manual order, or an unknown id
    raises ``ManualOrderNotFound``.
    """
    customer = get_customer_for_update(telegram_id=telegram_id)
    order = lock_order(purchase_id=clean_id(purchase_id, ManualOrderNotFound), customer=customer)
    if order.is_waiting and order.due_at > now():
        raise ManualOrderNotLate(due=date_format(localtime(order.due_at), "DATETIME_FORMAT"))
    refund(order, customer, actor=None)
    order.customer_told_at = order.decided_at  # the customer's own screen says so
    order.save(update_fields=["customer_told_at"])
    record_audit(actor=customer, action="refund_late_order", target=order.purchase.order_number)
    return order


# --- what the bot's jobs send --------------------------------------------------------------------
def fulfil_staff() -> list[int]:
    """The Telegram ids of everyone who fulfils orders: the owner and the roles holding ``fulfil_orders``."""
    holders = Customer.objects.filter(
        Q(telegram_id=settings.OWNER_ID)
        | Q(
            role__permissions__codename="fulfil_orders",
            role__permissions__content_type__app_label="accounts",
            is_blocked=False,
        )
    )
    return sorted(set(holders.values_list("telegram_id", flat=True)))


def overdue_orders(*, limit: int = 50) -> list[ManualOrder]:
    """Return waiting orders past their ``due_at`` that staff were not told of yet, the oldest first."""
    waiting = ManualOrder.objects.filter(status=Status.WAITING, due_at__lte=now(), escalated_at__isnull=True)
    return list(waiting.select_related("purchase").order_by("due_at", "id")[:limit])


def mark_escalated(*, order_ids: Iterable[int]) -> int:
    """Record that staff were told of these overdue orders; each is escalated once."""
    return ManualOrder.objects.filter(pk__in=list(order_ids), escalated_at__isnull=True).update(
        escalated_at=now()
    )


def orders_to_tell(*, limit: int = 50) -> list[ManualOrder]:
    """Return decided orders whose customer was not told yet, with purchase, file and customer loaded."""
    decided = ManualOrder.objects.exclude(status=Status.WAITING).filter(customer_told_at__isnull=True)
    rows = decided.select_related("purchase", "purchase__file", "customer").order_by("decided_at", "id")
    return list(rows[:limit])


def mark_told(*, order_id: int) -> None:
    ManualOrder.objects.filter(pk=order_id, customer_told_at__isnull=True).update(customer_told_at=now())
