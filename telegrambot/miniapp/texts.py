"""Every string of the Mini App: the API's refusals and the page's texts (handed to the script as JSON)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from telegrambot.texts import claims as claim_texts

SIGN_IN_FAILED = gettext_lazy("Could not sign you in. Close the shop and open it again from the bot.")
SESSION_EXPIRED = gettext_lazy("Your session has ended. Close the shop and open it again from the bot.")
BLOCKED = gettext_lazy("Your account is blocked. If you think this is a mistake, contact support.")
CLOSED = gettext_lazy("The shop is closed for maintenance. Please come back a little later.")
JOIN_CHANNEL = gettext_lazy("To use the shop, please join our channel first, then open the shop again.")
TOO_MANY = gettext_lazy("Too many requests. Please wait %(seconds)s seconds and try again.")
NOT_FOUND = gettext_lazy("Not found.")
UNEXPECTED = gettext_lazy("Something went wrong on our side. Please try again later.")


def page_texts() -> dict[str, str]:
    """The strings the page's script shows, in the active language (a claim's reasons as ``reason:<value>``)."""
    reasons = {f"reason:{value}": label for value, label in claim_texts.REASONS.items()}
    return {key: str(value) for key, value in {**PAGE, **reasons}.items()}


PAGE = {
    "title": gettext_lazy("Shop"),
    "categories": gettext_lazy("Categories"),
    "search": gettext_lazy("Search products"),
    "searchResults": gettext_lazy("Search results"),
    "nothingFound": gettext_lazy("Nothing found."),
    "empty": gettext_lazy("Nothing here yet."),
    "more": gettext_lazy("Show more"),
    "inStock": gettext_lazy("In stock: %(count)s"),
    "unlimited": gettext_lazy("Available"),
    "outOfStock": gettext_lazy("Out of stock"),
    "reviews": gettext_lazy("Reviews"),
    "noReviews": gettext_lazy("No reviews yet."),
    "buy": gettext_lazy("Buy for %(price)s"),
    "addToCart": gettext_lazy("Add to cart"),
    "added": gettext_lazy("Added to the cart."),
    "cart": gettext_lazy("Cart"),
    "cartEmpty": gettext_lazy("Your cart is empty."),
    "total": gettext_lazy("Total"),
    "discount": gettext_lazy("Discount"),
    "promo": gettext_lazy("Promo code"),
    "apply": gettext_lazy("Apply"),
    "remove": gettext_lazy("Remove"),
    "checkout": gettext_lazy("Pay %(total)s from the balance"),
    "payStars": gettext_lazy("Pay with Stars"),
    "balance": gettext_lazy("Balance"),
    "topUp": gettext_lazy("Top up with Stars"),
    "amount": gettext_lazy("Amount"),
    "topUpCrypto": gettext_lazy("Top up with CryptoPay"),
    "cryptoOpened": gettext_lazy("Pay the invoice in CryptoPay. Your balance is credited automatically."),
    "openInvoice": gettext_lazy("Open the invoice"),
    "checkPayment": gettext_lazy("Check payment"),
    "notPaidYet": gettext_lazy("The invoice is not paid yet."),
    "cryptoClosed": gettext_lazy("This invoice can no longer be paid. Create a new one."),
    "credited": gettext_lazy("Paid. Your balance was topped up."),
    "history": gettext_lazy("Purchases"),
    "noPurchases": gettext_lazy("No purchases yet."),
    "thanks": gettext_lazy("Thank you for your purchase!"),
    "copy": gettext_lazy("Tap to copy"),
    "copied": gettext_lazy("Copied."),
    "download": gettext_lazy("Download"),
    "paid": gettext_lazy("Paid. Your order is on its way."),
    "waiting": gettext_lazy("Waiting for the payment…"),
    "cancelled": gettext_lazy("The payment was cancelled."),
    "confirmBuy": gettext_lazy("Buy %(product)s for %(price)s from your balance?"),
    "order": gettext_lazy("Order #%(number)s"),
    "problem": gettext_lazy("Something went wrong on our side. Please try again later."),
    "warrantyUntil": gettext_lazy("🛡 Warranty until %(date)s"),
    "report": claim_texts.REPORT,
    "whatIsWrong": gettext_lazy("What is wrong with it?"),
    "describe": gettext_lazy("Describe the problem (optional, up to 1000 characters)"),
    "tooLong": claim_texts.TEXT_TOO_LONG,
    "sendReport": gettext_lazy("Send the report"),
    "claimOpened": gettext_lazy(
        "Your claim #%(claim)s is registered. Staff will look at it and you will get the answer in the chat."
    ),
    "claimStatus": gettext_lazy("Claim #%(claim)s: %(status)s"),
    "sendToChat": gettext_lazy("Send to chat"),
    "sentToChat": gettext_lazy("The file is on its way to your chat with the bot."),
    "alreadySent": gettext_lazy("The file is already on its way to your chat."),
    "questionsTitle": gettext_lazy("A few details for your order"),
    "questionsIntro": gettext_lazy("Staff prepare this order by hand and need these answers to do it."),
    "answerMax": gettext_lazy("up to %(maximum)s characters"),
    "continue": gettext_lazy("Continue"),
    "cancelAnswers": gettext_lazy("Cancel"),
    "preparing": gettext_lazy(
        "⏳ Being prepared, expected by %(date)s. It will arrive in the chat and here."
    ),
}
