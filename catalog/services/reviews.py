"""Reviews: buyers rate what they bought."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Product, Purchase, Review
from catalog.services.common import clean_id, clean_int, clean_text, lock_buyer
from shopbot.errors import ProductNotFound, ReviewNotAllowed

REVIEW_MAX_LENGTH = 500


@transaction.atomic
def save_review(*, telegram_id: int, product_id: int, rating: object, text: object = None) -> Review:
    """Write a buyer's review of a product (1 to 5, optional text); a second call edits it.

    ``text=None`` keeps the text a review already has, so a new rating alone
    does not erase what the buyer wrote. Locks the customer row, so two presses
    at once make one review.
    """
    rating = clean_int(rating, minimum=1, maximum=5, what=_("The rating"))
    cleaned = None if text is None else clean_text(text, what=_("A review"), max_length=REVIEW_MAX_LENGTH)
    customer = lock_buyer(telegram_id=telegram_id)
    product = Product.objects.filter(pk=clean_id(product_id)).first()
    if product is None:
        raise ProductNotFound()
    if not Purchase.objects.filter(buyer=customer, product=product).exists():
        raise ReviewNotAllowed()
    changes: dict[str, object] = {"rating": rating}
    if cleaned is not None:
        changes["text"] = cleaned
    review, _created = Review.objects.update_or_create(product=product, customer=customer, defaults=changes)
    review.product, review.customer = product, customer
    return review
