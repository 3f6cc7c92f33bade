"""Refusals raised by the service layer and shown to people by every interface.

``str(error)`` is a translated sentence that is safe to show to a customer or
an admin. Each interface renders these in one place (the bot's error handler,
the admin's ``message_user``); anything that is not a ``ShopError`` is a bug.
"""

from django.utils.translation import gettext_lazy as _


class ShopError(Exception):
    """A business rule refused the operation. ``str(error)`` is safe to show."""

    message = _("The shop cannot do that right now.")

    def __init__(self, **params: object) -> None:
        super().__init__()
        self.params = params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


class InvalidInput(ShopError):
    """Typed text or a value that does not fit what the operation expects."""

    message = _("%(reason)s")


# --- accounts -----------------------------------------------------------------
class CustomerNotFound(ShopError):
    message = _("No such user.")


class CustomerBlocked(ShopError):
    message = _("Your account is blocked.")


class PermissionDenied(ShopError):
    message = _("You are not allowed to do that.")


class OwnerProtected(ShopError):
    message = _("The owner's role and access cannot be changed.")


class RoleNotFound(ShopError):
    message = _("No such role.")


class RoleEscalation(ShopError):
    message = _("You cannot grant permissions you do not hold yourself.")


class StaffCodeRefused(ShopError):
    """A discount code used by someone who makes codes but may not change balances."""

    message = _(
        "You manage promo codes, so you cannot use them yourself without the permission to change balances."
    )


class MoneyEscalation(RoleEscalation):
    """Creating money through another permission than the one for changing balances."""

    message = _("Balance codes create money: they need the permission to change balances.")


# --- payments -----------------------------------------------------------------
class InsufficientFunds(ShopError):
    message = _("Not enough money: the price is %(price)s, your balance is %(balance)s.")


class AmountOutOfRange(ShopError):
    message = _("Enter an amount from %(minimum)s to %(maximum)s.")


class InvalidAmount(ShopError):
    message = _("Enter an amount as a number with at most two decimals, for example 150 or 99.50.")


class PaymentNotFound(ShopError):
    message = _("This payment was not found.")


class PaymentNotPending(ShopError):
    message = _("This payment is no longer waiting to be paid.")


class PaymentExpired(ShopError):
    message = _("This invoice has expired. Please create a new one.")


class PaymentMismatch(ShopError):
    message = _("The payment does not match the invoice.")


class PaymentMethodUnavailable(ShopError):
    message = _("This payment method is not available.")


class PaymentProviderUnavailable(ShopError):
    message = _("%(provider)s is not answering, please try again shortly.")


class RefundRefused(ShopError):
    message = _("This payment cannot be refunded: %(reason)s")


class RefundPending(ShopError):
    message = _(
        "Telegram has not confirmed the refund yet; the amount stays held. Refund the payment again to finish."
    )


# --- catalog ------------------------------------------------------------------
class CategoryNotFound(ShopError):
    message = _("This category is no longer available.")


class ProductNotFound(ShopError):
    message = _("This item is no longer sold.")


class OutOfStock(ShopError):
    message = _("%(product)s is out of stock.")


class NameTaken(ShopError):
    message = _("The name %(name)s is already used.")


class PurchaseNotFound(ShopError):
    message = _("This order was not found.")


class CartEmpty(ShopError):
    message = _("Your cart is empty.")


class CartChanged(ShopError):
    message = _("Prices in your cart have changed. Please review it again.")


class CartAlreadyPaid(ShopError):
    message = _("This cart was paid already or has changed since the invoice. Open the cart and pay again.")


class PromoNotFound(ShopError):
    message = _("There is no such promo code.")


class PromoExpired(ShopError):
    message = _("This promo code has expired.")


class PromoInactive(ShopError):
    message = _("This promo code is not active.")


class PromoUsedUp(ShopError):
    message = _("This promo code has been used up.")


class PromoAlreadyUsed(ShopError):
    message = _("You have already used this promo code.")


class PromoNotApplicable(ShopError):
    message = _("This promo code does not apply to this item.")


class PromoStepExpired(ShopError):
    """A button of a promo code step that is no longer being answered (pressed twice, or forged)."""

    message = _("This step is no longer open. Start again from the promo codes.")


class PromoWrongKind(ShopError):
    message = _("%(reason)s")


class ReviewNotAllowed(ShopError):
    message = _("Only buyers of this item can review it.")


class ImportRefused(ShopError):
    message = _("The catalog file was refused: %(reason)s")


class SeedRefused(ShopError):
    """The previous shop's database cannot be imported, or not into this shop."""

    message = _("The import from the previous shop was refused: %(reason)s")


class ProductUnavailable(ShopError):
    message = _("%(product)s is no longer sold. Remove it from your cart to continue.")


class NotEnoughStock(ShopError):
    message = _("Only %(available)s of %(product)s left.")


class PriceChanged(ShopError):
    message = _("The price of %(product)s has changed. Please check it again.")


class StockUnitNotFound(ShopError):
    message = _("This stock unit was not found.")


class StockUnitSold(ShopError):
    message = _("This unit has already been sold and cannot be removed.")


class NotInCart(ShopError):
    message = _("This item is not in your cart.")


class IntentNotFound(ShopError):
    message = _("This confirmation is not valid. Please open it again.")


class IntentUsed(ShopError):
    message = _("This confirmation has been paid already.")


class IntentExpired(ShopError):
    message = _("This confirmation has expired and prices may have changed. Here it is again.")


# --- claims -------------------------------------------------------------------


class ClaimNotFound(ShopError):
    message = _("This claim was not found.")


class ClaimRefused(ShopError):
    """A purchase that cannot be claimed; ``reason`` says why."""

    message = _("%(reason)s")


class ClaimLimit(ShopError):
    message = _("You have reported too many problems today. Please try again tomorrow.")


class ClaimAlreadyDecided(ShopError):
    message = _("This claim has already been decided.")


class ClaimNoStock(ShopError):
    message = _("No stock to replace %(product)s: refund the purchase or let the claim wait for stock.")


class NewCustomerLimit(ShopError):
    """A new customer's purchases in the last 24 hours would pass ``NEW_CUSTOMER_MAX_SPEND``."""

    message = _(
        "New customers can spend up to %(cap)s a day for now; %(left)s is left today. "
        "Please try a smaller order or come back later."
    )


class ClaimAwaitsSecondDecision(ShopError):
    """Recorded, not done: the customer is over the claim-rate rule, so another staff member confirms."""

    message = _(
        "⏳ Recorded. This customer claims often (%(claims)s claims in their last %(purchases)s purchases): "
        "a different staff member must confirm this decision."
    )


class ClaimSecondDecisionRefused(ShopError):
    message = _("You made the first decision on this claim: a different staff member must confirm it.")


class TicketNotFound(ShopError):
    message = _("This support ticket was not found.")


class TicketClosed(ShopError):
    message = _("This support ticket is closed. Write to support again to open a new one.")


class TicketLimit(ShopError):
    message = _("You have written to support too often. Please try again later.")


# --- manual fulfilment ----------------------------------------------------------
class ManualOrderNotFound(ShopError):
    message = _("This order is not in the queue.")


class ManualOrderDecided(ShopError):
    message = _("This order was already delivered or refunded.")


class ManualOrderNotLate(ShopError):
    message = _("The order is still being prepared: it can be refunded after %(due)s if it has not arrived.")


class AnswersNeeded(ShopError):
    message = _("Answer the questions of %(product)s first.")


# --- pre-orders -----------------------------------------------------------------
class PreOrderUnavailable(ShopError):
    message = _("%(product)s cannot be pre-ordered now.")


class PreOrderNotFound(ShopError):
    message = _("This pre-order is not yours or does not exist.")


class PreOrderDecided(ShopError):
    message = _("This pre-order was already delivered or cancelled.")
