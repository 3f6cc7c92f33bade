"""What a paid payment delivers: one fulfiller per purpose, registered at start-up.

``payments`` credits; it does not know what is being paid for. Each
``Payment.Purpose`` has one fulfiller, registered once in an
``AppConfig.ready()``: ``payments`` registers the top-up fulfiller itself,
``catalog`` registers the direct-order one. New kinds of fulfilment (manual
delivery, the seller's endpoint, pre-orders) add a purpose and register here.

The contract of a fulfiller (an object with three methods):

``check(*, payment)``
    Called by the pre-checkout answer, outside any lock, before the provider
    takes the money. Raise a ``ShopError`` if the payment can no longer be
    delivered; return nothing otherwise. Reads only, and quickly: Telegram
    waits ten seconds for the answer.

``fulfil(*, payment, customer, referrer)``
    Called exactly once per payment, by ``payments`` only, inside the
    crediting transaction, with the customer rows (then the payment row)
    locked and the payment already marked paid. Deliver what was paid for and
    return a ``Credit`` with ``credited=True``. Never raise for something that
    cannot be delivered: money a provider took is never dropped, so credit it
    to the balance instead (and owe the customer a notice). Lock only rows
    that come after the payment in the lock order (stock, then promo rows),
    make no network call, and leave messages to the notice outbox.

``refunded(*, payment, actor)``
    Called once per payment, by ``payments`` only, when a refund of it went
    through (every path: a Stars refund from the bot or the web admin, a
    manual refund, Telegram's own ``refunded_payment``), inside that
    transaction, with the customer rows and the payment row locked and the
    payment already marked refunded. Take back what was delivered (an order's
    purchases refunded, their units defective). ``actor`` is None when
    Telegram refunded it outside the shop. Same locking rules as ``fulfil``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from payments.models import Payment

if TYPE_CHECKING:
    from accounts.actors import Actor
    from accounts.models import Customer
    from payments.services.crediting import Credit


class Fulfiller(Protocol):
    def check(self, *, payment: Payment) -> None: ...

    def fulfil(self, *, payment: Payment, customer: Customer, referrer: Customer | None) -> Credit: ...

    def refunded(self, *, payment: Payment, actor: Actor | None) -> None: ...


class FulfilmentRegistry:
    """The fulfiller of each payment purpose; a purpose is registered once."""

    def __init__(self) -> None:
        self._fulfillers: dict[str, Fulfiller] = {}

    def register(self, purpose: str, fulfiller: Fulfiller) -> None:
        purpose = str(purpose)  # a Payment.Purpose member and its value are one key
        if purpose not in Payment.Purpose.values:
            raise ValueError(f"{purpose!r} is not a payment purpose ({', '.join(Payment.Purpose.values)})")
        if purpose in self._fulfillers:
            # Two apps claiming one purpose would silently deliver twice or not at all.
            raise RuntimeError(
                f"payments of purpose {purpose!r} already have a fulfiller: {self._fulfillers[purpose]!r}"
            )
        self._fulfillers[purpose] = fulfiller

    def get(self, purpose: str) -> Fulfiller:
        purpose = str(purpose)
        try:
            return self._fulfillers[purpose]
        except KeyError:
            raise LookupError(
                f"no fulfiller is registered for payments of purpose {purpose!r}; "
                "register one with payments.services.register_fulfiller in AppConfig.ready()"
            ) from None


registry = FulfilmentRegistry()


def register_fulfiller(purpose: str, fulfiller: Fulfiller) -> None:
    """Register what payments of ``purpose`` deliver; a second registration of a purpose fails."""
    registry.register(purpose, fulfiller)


def fulfiller_for(purpose: str) -> Fulfiller:
    """Return the fulfiller of ``purpose``; refuse a purpose nobody registered."""
    return registry.get(purpose)
