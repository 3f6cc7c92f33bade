"""Reviews: a product's reviews page by page, rating 1–5 and the optional text."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Review
from catalog.selectors import Page, ProductCard
from telegrambot.texts.catalog import first_fitting
from telegrambot.texts.common import EMPTY, date_time, page_label, user_text

SKIP = gettext_lazy("⏭ Skip")
WRITE = gettext_lazy("⭐ Rate this item")
TO_PRODUCT = gettext_lazy("📦 To the item")
REVIEWS = gettext_lazy("💬 Reviews")
CUSTOMER = gettext_lazy("Customer")
THANKS = gettext_lazy("✅ Thank you! Your review is published.")


def stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


def reviewer(review: Review) -> str:
    """The reviewer's first name only, or "Customer": reviews never reveal usernames or ids."""
    name = (review.customer.first_name or "").strip()
    return user_text(name, limit=32) if name else str(CUSTOMER)


def review_block(review: Review, *, limit: int) -> str:
    head = "%s <b>%s</b> · %s" % (stars(review.rating), reviewer(review), date_time(review.created)[:10])
    text = review.text.strip()
    return head + ("\n" + user_text(text, limit=limit) if text else "")


def reviews(card: ProductCard, page: Page[Review]) -> str:
    """A page of reviews under a title with the item's rating; long texts are shortened to fit."""
    title = _("💬 <b>Reviews of %(item)s</b>") % {"item": user_text(card.product.name, limit=100)}
    if not page.items:
        if page.number > 1:
            return str(EMPTY)
        return title + "\n\n" + _("No reviews yet. Buyers can rate the item after buying it.")
    if card.rating is not None:
        title += "\n" + _("Rating: %(rating)s/5 from %(count)s reviews") % {
            "rating": card.rating,
            "count": card.review_count,
        }
    if page.has_previous or page.has_next:
        title += " · " + page_label(page.number).lower()

    def page_text(limit: int) -> str:
        return "\n\n".join([title, *(review_block(review, limit=limit) for review in page.items)])

    return first_fitting(page_text, (500, 300, 150, 60))


def ask_rating(card: ProductCard) -> str:
    return _("⭐ <b>Rate %(item)s</b>\n\nHow do you like it? Choose from one to five stars.") % {
        "item": user_text(card.product.name, limit=100)
    }


def rating_button(rating: int) -> str:
    return "⭐" * rating


def ask_text(review: Review) -> str:
    return _(
        "Thank you! Your rating: %(stars)s\n\n"
        "Add a few words about the item (up to 500 characters) as a message, or press Skip."
    ) % {"stars": stars(review.rating)}
