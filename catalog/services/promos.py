"""Promo codes: redeeming balance codes, and the admin services that manage codes.

Discount codes (percent, fixed) are redeemed by ``purchase_product`` and
``checkout_cart``. Codes are stored upper-case and typed in any case. A
balance code is always once per customer: a code one person could redeem
again and again would print money. For the same reason a balance code is
created, changed or switched on only by someone who may change balances
(``manage_balances``), and an admin who manages promo codes without that
permission cannot redeem one.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor, permissions_of_actor
from accounts.models import Customer
from accounts.services import record_audit, record_escalation, requires
from catalog.models import Category, Product, PromoCode, PromoUsage
from catalog.services.common import clean_id, clean_int, lock_buyer
from catalog.services.pricing import (
    CODE_PATTERN,
    check_usable,
    find_promo,
    makes_codes_without_balances,
    used_promo_ids,
)
from payments.models import LedgerEntry
from payments.money import CENT, check_range, parse_amount
from payments.services import change_balance
from shopbot.errors import (
    CategoryNotFound,
    InvalidInput,
    MoneyEscalation,
    NameTaken,
    ProductNotFound,
    PromoNotFound,
    PromoWrongKind,
)

MAX_USES = 1_000_000


def redeem_balance_promo(*, telegram_id: int, code: str) -> LedgerEntry:
    """Credit a balance code's amount to the customer and return the PROMO ledger row.

    Locks the customer row, then the promo row, and re-checks the code's
    limits under that lock, so ``max_uses`` holds however many redeem at once.
    An admin who may manage promo codes but not balances is refused, and the
    refusal is audited (after the rollback, so the entry stays).
    """
    try:
        return credit_balance_promo(telegram_id=telegram_id, code=code)
    except MoneyEscalation as refusal:
        actor = Customer.objects.get(telegram_id=telegram_id)
        record_escalation(actor=actor, action="redeem_balance_promo", refusal=refusal)
        raise


def check_may_mint(actor: Actor) -> None:
    """Refuse someone who could make a balance code yet may not change balances directly."""
    if makes_codes_without_balances(permissions_of_actor(actor)):
        raise MoneyEscalation()


@transaction.atomic
def credit_balance_promo(*, telegram_id: int, code: str) -> LedgerEntry:
    customer = lock_buyer(telegram_id=telegram_id)
    promo = find_promo(code=code, lock=True)
    if promo.kind != PromoCode.Kind.BALANCE:
        raise PromoWrongKind(reason=_("This code gives a discount: apply it to an item or a cart line."))
    check_may_mint(customer)
    check_usable(
        promo, at=timezone.now(), already_used=bool(used_promo_ids(customer=customer, promo_ids=[promo.pk]))
    )
    entry = change_balance(
        customer=customer,
        amount=promo.value,
        kind=LedgerEntry.Kind.PROMO,
        reason=_("Promo code %(code)s") % {"code": promo.code},
        reference=promo.code,
    )
    PromoUsage.objects.create(promo_code=promo, customer=customer, discount=promo.value)
    promo.uses += 1
    promo.save(update_fields=["uses"])
    return entry


def clean_code(code: object) -> str:
    cleaned = code.strip().upper() if isinstance(code, str) else ""
    if not CODE_PATTERN.fullmatch(cleaned):
        raise InvalidInput(reason=_("A code is 3 to 32 characters: letters A-Z, digits, _ and -."))
    return cleaned


def clean_value(kind: str, value: object) -> Decimal:
    amount = parse_amount(value)
    if kind == PromoCode.Kind.PERCENT:
        if amount > 100:
            raise InvalidInput(reason=_("A percent discount is from 0.01 to 100."))
        return amount
    return check_range(amount, minimum=CENT, maximum=settings.MAX_AMOUNT)


def clean_expiry(expires_at: object) -> datetime | None:
    if expires_at is None:
        return None
    if not isinstance(expires_at, datetime):
        raise InvalidInput(reason=_("Give the expiry as a date and time."))
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if expires_at <= timezone.now():
        raise InvalidInput(reason=_("The expiry must be in the future."))
    return expires_at


def clean_binding(
    kind: str, category_id: object, product_id: object
) -> tuple[Category | None, Product | None]:
    if category_id is not None and product_id is not None:
        raise InvalidInput(reason=_("Bind a code to a category or to a product, not both."))
    if kind == PromoCode.Kind.BALANCE and (category_id is not None or product_id is not None):
        raise InvalidInput(reason=_("A balance code cannot be bound to a category or a product."))
    category = product = None
    if category_id is not None:
        category = Category.objects.filter(pk=clean_id(category_id, CategoryNotFound)).first()
        if category is None:
            raise CategoryNotFound()
    if product_id is not None:
        product = Product.objects.filter(pk=clean_id(product_id)).first()
        if product is None:
            raise ProductNotFound()
    return category, product


def lock_promo(promo_id: object) -> PromoCode:
    promo = PromoCode.objects.select_for_update().filter(pk=clean_id(promo_id, PromoNotFound)).first()
    if promo is None:
        raise PromoNotFound()
    return promo


@requires("manage_promos")
@transaction.atomic
def save_promo(
    *,
    actor: Actor,
    code: str,
    kind: str,
    value: object,
    category_id: int | None = None,
    product_id: int | None = None,
    max_uses: int | None = None,
    once_per_user: bool = True,
    expires_at: datetime | None = None,
    promo_id: int | None = None,
) -> PromoCode:
    """Create a promo code, or change one (``promo_id``), after validating every field.

    Code: 3–32 of A–Z, 0–9, _ and - (upper-cased); value: above zero, a
    percent at most 100, an amount at most MAX_AMOUNT; expiry in the future;
    max uses 1..1,000,000 or None for unlimited. A balance code (before or
    after the change) also needs ``manage_balances``: it creates money.
    Audited, refusals too.
    """
    code = clean_code(code)
    if kind not in PromoCode.Kind.values:
        raise InvalidInput(reason=_("Choose percent, fixed or balance."))
    amount = clean_value(kind, value)
    category, product = clean_binding(kind, category_id, product_id)
    if max_uses is not None:
        max_uses = clean_int(max_uses, minimum=1, maximum=MAX_USES, what=_("The number of uses"))
    if not isinstance(once_per_user, bool):
        raise InvalidInput(reason=_("Say whether each customer may use the code once."))
    expiry = clean_expiry(expires_at)
    promo = PromoCode() if promo_id is None else lock_promo(promo_id)
    if PromoCode.Kind.BALANCE in (kind, promo.kind):
        check_may_mint(actor)
    if PromoCode.objects.filter(code=code).exclude(pk=promo.pk).exists():
        raise NameTaken(name=code)
    promo.code, promo.kind, promo.value = code, kind, amount
    promo.category, promo.product, promo.max_uses, promo.expires_at = category, product, max_uses, expiry
    promo.once_per_user = once_per_user or kind == PromoCode.Kind.BALANCE
    try:
        with transaction.atomic():
            promo.save()
    except IntegrityError:
        # Another admin saved the same code a moment ago.
        raise NameTaken(name=code) from None
    record_audit(
        actor=actor,
        action="save_promo",
        target=promo.code,
        details={
            "kind": kind,
            "value": str(amount),
            "category": category.pk if category else None,
            "product": product.pk if product else None,
            "max_uses": max_uses,
            "once_per_user": promo.once_per_user,
            "expires_at": expiry.isoformat() if expiry else None,
        },
    )
    return promo


@requires("manage_promos")
@transaction.atomic
def set_promo_active(*, actor: Actor, promo_id: int, active: bool) -> PromoCode:
    """Switch a promo code on or off; audited. Switching a balance code on needs ``manage_balances``."""
    promo = lock_promo(promo_id)
    if active and promo.kind == PromoCode.Kind.BALANCE:
        check_may_mint(actor)
    promo.is_active = bool(active)
    promo.save(update_fields=["is_active"])
    record_audit(actor=actor, action="activate_promo" if active else "deactivate_promo", target=promo.code)
    return promo


@requires("manage_promos")
@transaction.atomic
def delete_promo(*, actor: Actor, promo_id: int) -> None:
    """Delete a promo code; purchases made with it keep their prices. Audited."""
    promo = lock_promo(promo_id)
    record_audit(actor=actor, action="delete_promo", target=promo.code, details={"uses": promo.uses})
    promo.delete()
