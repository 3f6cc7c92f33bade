"""Callback data routes: every button's ``callback_data`` is built and parsed here.

A route is a short prefix followed by typed fields, ``"pur:42:3"``. Fields
carry ids, page numbers, amounts in cents or one of a few fixed words, never
names or free text. Each route has a strict regular expression, so a forged or
malformed string matches no handler and reaches the catch-all refusal in
``handlers/fallback.py``. Telegram refuses ``callback_data`` over 64 bytes;
``build`` refuses it first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar, overload

MAX_CALLBACK_BYTES = 64
V = TypeVar("V")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
# What ``Route.parse`` returns: None, one value, or a tuple of two or three typed values.
P = TypeVar("P")


@dataclass(frozen=True)
class Field(Generic[V]):
    """One typed part of a callback string: its pattern, and how it becomes a ``V`` and back."""

    regex: str
    convert: Callable[[str], V]
    render: Callable[[V], str] = str


def cents(raw: str) -> Decimal:
    return Decimal(raw).scaleb(-2)


def render_cents(amount: Decimal) -> str:
    return str(int(amount.scaleb(2)))


# Database ids start at 1; 18 digits fit a BigAutoField.
ID: Field[int] = Field(r"[1-9]\d{0,17}", int)
# Pages are numbered from 1; nobody pages past 99,999.
PAGE: Field[int] = Field(r"[1-9]\d{0,4}", int)
# An amount of PAY_CURRENCY travels as whole cents (money has two places), at most 12
# digits like a money_field; it is built from and parsed to a Decimal.
AMOUNT: Field[Decimal] = Field(r"[1-9]\d{0,11}", cents, render_cents)


def choice(*values: str) -> Field[str]:
    """Return a field that accepts exactly one of ``values``."""
    return Field("(?:" + "|".join(re.escape(value) for value in values) + ")", str)


@dataclass(frozen=True)
class Route(Generic[P]):
    """A family of callback strings ``"<prefix>[:<field>]..."``.

    The fields type the route: ``Route("pur", ID, PAGE)`` is a
    ``Route[tuple[int, int]]``, so ``parse`` returns ``(purchase_id, page)`` as
    ints and ``build`` takes an int and an int.
    """

    prefix: str
    fields: tuple[Field[Any], ...] = ()
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    @overload
    def __init__(self: Route[None], prefix: str, /) -> None: ...
    @overload
    def __init__(self: Route[A], prefix: str, a: Field[A], /) -> None: ...
    @overload
    def __init__(self: Route[tuple[A, B]], prefix: str, a: Field[A], b: Field[B], /) -> None: ...
    @overload
    def __init__(
        self: Route[tuple[A, B, C]], prefix: str, a: Field[A], b: Field[B], c: Field[C], /
    ) -> None: ...
    def __init__(self, prefix: str, *fields: Field[Any]) -> None:
        object.__setattr__(self, "prefix", prefix)
        object.__setattr__(self, "fields", fields)
        parts = [re.escape(prefix), *(f"({item.regex})" for item in fields)]
        object.__setattr__(self, "regex", re.compile("^" + ":".join(parts) + "$"))

    @property
    def pattern(self) -> re.Pattern[str]:
        """The pattern for ``CallbackQueryHandler``: the whole string, nothing more."""
        return self.regex

    @overload
    def build(self: Route[None]) -> str: ...
    @overload
    def build(self: Route[tuple[A, B, C]], a: A, b: B, c: C, /) -> str: ...
    @overload
    def build(self: Route[tuple[A, B]], a: A, b: B, /) -> str: ...
    @overload
    def build(self: Route[A], a: A, /) -> str: ...
    def build(self, *values: Any) -> str:
        """Return the callback string for ``values``; refuse what the pattern would refuse."""
        if len(values) != len(self.fields):
            raise ValueError(f"{self.prefix} takes {len(self.fields)} values, got {len(values)}")
        data = ":".join(
            [self.prefix, *(item.render(value) for item, value in zip(self.fields, values, strict=True))]
        )
        if not self.regex.match(data) or len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"invalid callback data for {self.prefix}: {data!r}")
        return data

    def parse(self, data: str | None) -> P:
        """Return the typed field values of ``data``: None, one value, or a tuple of them."""
        match = self.regex.match(data or "")
        if match is None:
            raise ValueError(f"{data!r} is not a {self.prefix} callback")
        values = tuple(item.convert(raw) for item, raw in zip(self.fields, match.groups(), strict=True))
        if not values:
            return None  # type: ignore[return-value]  # P is None for a route without fields
        return values[0] if len(values) == 1 else values  # type: ignore[return-value]

    def matches(self, data: str | None) -> bool:
        return self.regex.match(data or "") is not None


# --- Navigation and account -------------------------------------------------
MENU = Route("menu")
NOOP = Route("noop")  # the page indicator between arrows: answered, changes nothing
CANCEL = Route("cancel")  # leaves a prompt and shows the menu
CHECK_SUBSCRIPTION = Route("joined")
RULES = Route("rules")
SUPPORT = Route("support")
LANGUAGE = Route("lang")
SET_LANGUAGE = Route("lang", choice("en", "ru"))

# --- Profile ------------------------------------------------------------------
PROFILE = Route("prof")
PURCHASES = Route("purs", PAGE)
PURCHASE = Route("pur", ID, PAGE)  # the purchase, and the history page to go back to
REFUND_LATE = Route("purlr", ID)  # refund one's own manual order not delivered in time
LEDGER = Route("ops", PAGE)
REDEEM_PROMO = Route("redeem")
# Report a problem with a purchase (handlers/claims.py): the purchase id, then a reason
CLAIM_START = Route("clm", ID)
CLAIM_REASON = Route("clmr", ID, choice("not_working", "already_used", "wrong_item", "other"))
CLAIM_SKIP = Route("clms", ID)  # skip the optional text or file of the claim on this purchase
# Support tickets (handlers/tickets.py): always the customer's own ticket or Stars order
SUPPORT_WRITE = Route("supw")  # write to support: the open general ticket, or a new one
SUPPORT_ORDER = Route("supo", ID)  # write about this Stars order (a payment id)
TICKETS = Route("tks")  # the customer's tickets
TICKET = Route("tk", ID)
TICKET_REPLY = Route("tkr", ID)  # the Reply button under a support message
REFERRALS = Route("refs")
REFERRAL_LIST = Route("refl", PAGE)

# --- Top-up -------------------------------------------------------------------
TOP_UP = Route("topup")
# Handled by telegrambot/handlers/payments.py. The amount (a Decimal, cents on the wire)
# comes from the client like any callback data: check it against MIN/MAX_AMOUNT again.
TOP_UP_STARS = Route("tus", AMOUNT)
TOP_UP_CARD = Route("tuc", AMOUNT)
TOP_UP_CRYPTO = Route("tux", AMOUNT)
CHECK_CRYPTO = Route("tuxc", ID)  # "Check payment" under a CryptoPay invoice: the payment id
# Pay for goods directly in Telegram Stars, without a balance (handlers/payments.py).
PAY_STARS_PRODUCT = Route("psp", ID)  # one unit of a product
PAY_STARS_CART = Route("psc")  # everything in the cart
# The same by card, through Telegram Payments (when the shop has a provider token).
PAY_CARD_PRODUCT = Route("pcp", ID)
PAY_CARD_CART = Route("pcc")

# --- Entry points of other features -------------------------------------------
SHOP = Route("shop")  # the catalog's first screen (categories)
CART = Route("cart")  # the cart screen
ADMIN_PANEL = Route("adm")  # the admin menu; every admin route starts with "adm"

# --- Admin menu entries owned by other features --------------------------------
# Shown in the admin menu to holders of the permission in brackets; the features
# add their own routes, each starting with "adm".
ADMIN_PROMOS = Route("admpro")  # promo codes [manage_promos]
ADMIN_BROADCAST = Route("admbrd")  # broadcasts [broadcast]
ADMIN_STATS = Route("admsts")  # statistics [view_statistics]
ADMIN_AUDIT = Route("admaud")  # audit log [view_audit]
ADMIN_MAINTENANCE = Route("admmnt")  # maintenance mode [maintenance]

# --- Admin: catalog, stock, orders, users, roles (handlers/admin_*.py) -----------
# Every handler re-checks the permission on the server; ids only, never names.
ON_OFF = choice("on", "off")
# A shop permission's codename; the service refuses any that does not exist.
CODENAME: Field[str] = Field(r"[a-z_]{1,32}", str)
ADMIN_SIGN_IN = Route("admweb")  # a one-time link to the web admin
# Catalog [manage_catalog]
ADMIN_CATEGORIES = Route("admcs", PAGE)
ADMIN_CATEGORY = Route("admc", ID, PAGE)  # a category and a page of its products
ADMIN_CATEGORY_ADD = Route("admca")
ADMIN_CATEGORY_RENAME = Route("admcr", ID)
ADMIN_CATEGORY_MOVE = Route("admcm", ID, choice("up", "down"))
ADMIN_CATEGORY_SHOW = Route("admcv", ID, ON_OFF)
ADMIN_CATEGORY_SOLD_OUT = Route("admch", ID, ON_OFF)  # hide its sold-out products (and itself) or not
ADMIN_CATEGORY_DELETE = Route("admcd", ID)  # asks, saying what goes with it
ADMIN_CATEGORY_DELETE_YES = Route("admcdy", ID)
ADMIN_PRODUCT = Route("admp", ID)
ADMIN_PRODUCT_ADD = Route("admpa", ID)  # a new product in this category
ADMIN_PRODUCT_EDIT = Route("admpe", ID, choice("name", "desc", "price", "cat", "image", "kind", "warranty"))
ADMIN_PRODUCT_SHOW = Route("admpv", ID, ON_OFF)
ADMIN_PRODUCT_SOLD_OUT = Route("admph", ID, ON_OFF)  # hide it while sold out, or show it with a badge
ADMIN_PRODUCT_PREORDERS = Route("admppo", ID, ON_OFF)  # take pre-orders while sold out, or not
ADMIN_PRODUCT_DELETE = Route("admpd", ID)
ADMIN_PRODUCT_DELETE_YES = Route("admpdy", ID)
ADMIN_DRAFT_SKIP = Route("admds")  # skip an optional step of the product being written
ADMIN_DRAFT_CATEGORY = Route("admdc", ID)
ADMIN_DRAFT_KIND = Route("admdk", choice("stock", "unlimited"))
# Stock [manage_stock]
ADMIN_STOCK = Route("admsk", PAGE)  # categories, with the products running low
ADMIN_STOCK_CATEGORY = Route("admskc", ID, PAGE)
ADMIN_STOCK_PRODUCT = Route("admskp", ID)
ADMIN_STOCK_ADD = Route("admska", ID)  # paste lines or send a .txt/.csv file
ADMIN_STOCK_CONFIRM = Route("admsky", ID)  # add the previewed upload
ADMIN_STOCK_UNITS = Route("admsku", ID, PAGE)
ADMIN_STOCK_UNIT = Route("admskv", ID, PAGE)  # a unit, and the page to go back to
ADMIN_STOCK_UNIT_DELETE = Route("admskd", ID, PAGE)
ADMIN_STOCK_THRESHOLD = Route("admskt", ID)
ADMIN_STOCK_ANNOUNCE = Route("admskn", ID)  # post "new stock" to CHANNEL_ID
ADMIN_STOCK_SHARED_FILE = Route("admskf", ID)  # send the one file every buyer of the product receives
ADMIN_STOCK_KIND = Route("admskk", ID, choice("stock", "shared", "file", "shared_file", "manual"))
# Orders [manage_users]
ADMIN_ORDER_LOOKUP = Route("admo")
# Claims [manage_claims] (handlers/admin_claims.py)
CLAIM_DECISION = choice("replace", "wait", "refund", "restock", "stars", "manual")
ADMIN_CLAIMS = Route("admcl", PAGE)  # the undecided claims, oldest first
ADMIN_CLAIM = Route("admclv", ID)
ADMIN_CLAIM_FILE = Route("admclf", ID)  # send the customer's photo or document
ADMIN_CLAIM_DECIDE = Route("admcld", ID, CLAIM_DECISION)  # asks to confirm
ADMIN_CLAIM_YES = Route("admcly", ID, CLAIM_DECISION)
ADMIN_CLAIM_REJECT = Route("admclr", ID)  # asks for the reason the customer sees
# Orders to fulfil by hand [fulfil_orders] (handlers/admin_fulfil.py)
ADMIN_FULFIL = Route("admfl", PAGE)  # the waiting orders, nearest deadline first
ADMIN_FULFIL_ORDER = Route("admfo", ID)
ADMIN_FULFIL_DELIVER = Route("admfd", ID)  # asks for the text or document to deliver
ADMIN_FULFIL_REFUND = Route("admfr", ID)  # asks to confirm
ADMIN_FULFIL_REFUND_YES = Route("admfry", ID)
ADMIN_MANUAL_HOURS = Route("admmh", ID)  # a manual product's hours to deliver [manage_catalog]
ADMIN_MANUAL_QUESTIONS = Route("admmq", ID)  # its checkout questions [manage_catalog]
ADMIN_DYNAMIC_ENDPOINT = Route("admde", ID)  # the seller's endpoint and secret [manage_catalog]
# Support tickets [manage_support] (handlers/admin_tickets.py)
ADMIN_TICKETS = Route("admtk")  # the open tickets, the longest waiting first
ADMIN_TICKET = Route("admtkv", ID)
ADMIN_TICKET_REPLY = Route("admtkr", ID)  # asks for the reply
ADMIN_TICKET_CLOSE = Route("admtkx", ID)
ADMIN_TICKET_FILE = Route("admtkf", ID)  # send a message's photo or document (a message id)
# Users [manage_users; balances: manage_balances; roles: manage_roles; anonymising: anonymise_customers]
ADMIN_USERS = Route("admu")  # asks for a Telegram id or @username
ADMIN_USER = Route("admuv", ID)  # by Telegram id
ADMIN_USER_BALANCE = Route("admub", ID, choice("credit", "debit"))
ADMIN_USER_BLOCK = Route("admux", ID, ON_OFF)
ADMIN_USER_ROLES = Route("admur", ID)  # the roles to choose from
ADMIN_USER_SET_ROLE = Route("admus", ID, ID)  # Telegram id, role id
# Staff notifications [any permission an event needs] (handlers/admin_notifications.py)
ADMIN_NOTIFICATIONS = Route("admnt")
# A StaffEvent value; the service refuses any that does not exist.
ADMIN_NOTIFICATION_SET = Route("admnts", Field(r"[a-z_]{1,16}", str), ON_OFF)
ADMIN_USER_ANONYMISE = Route("admuz", ID, choice("ask", "yes"))  # [anonymise_customers] asks, then does
# Roles [manage_roles]
ADMIN_ROLES = Route("admr")
ADMIN_ROLE = Route("admrv", ID)
ADMIN_ROLE_ADD = Route("admra")  # asks for a name, then permissions are toggled
ADMIN_ROLE_EDIT = Route("admre", ID)
ADMIN_ROLE_RENAME = Route("admrn")  # the role being written
ADMIN_ROLE_TOGGLE = Route("admrt", CODENAME)
ADMIN_ROLE_SAVE = Route("admrs")
ADMIN_ROLE_DELETE = Route("admrd", ID)
ADMIN_ROLE_DELETE_YES = Route("admrdy", ID)

# --- Shop, cart and reviews (handlers/catalog.py, cart.py, reviews.py) -----------
QUANTITY: Field[int] = Field(r"[1-9]\d{0,2}", int)  # the service allows 1..50 of one item
RATING = choice("1", "2", "3", "4", "5")
# Shop
CATEGORIES = Route("cats", PAGE)
CATEGORY = Route("cat", ID, PAGE)  # a page of a category's products
PRODUCT = Route("prod", ID, PAGE)  # the product card, and the category page to go back to
WAITLIST = Route("wait", ID, PAGE)  # Notify me / Stop notifying on a sold-out card
# Pre-orders (handlers/preorders.py): the confirmation of a product, its Pay button with the
# price shown (the service refuses a price that changed), and cancelling the customer's own.
PREORDER = Route("preo", ID)
PREORDER_PAY = Route("preop", ID, AMOUNT)
PREORDER_CANCEL = Route("preoc", ID)
BUY = Route("buy", ID)  # the confirmation screen of one unit
# A Pay button names the purchase intent its confirmation wrote (what, which promo code, at
# what price); the service refuses one that is not the customer's, used, expired or outdated.
CONFIRM_BUY = Route("buyok", ID)
PRODUCT_PROMO = Route("ppr", ID)  # ask for a promo code for one unit of this product
DROP_PRODUCT_PROMO = Route("pprx", ID)
TOP_UP_SHORTFALL = Route("tud", AMOUNT)  # the payment methods for what a purchase lacked
# Cart; a line is named by its product id, always the customer's own line
CART_PAGE = Route("cartp", PAGE)
CART_ADD = Route("ca", ID)
CART_LINE = Route("cl", ID)
CART_QUANTITY = Route("clq", ID, QUANTITY)
CART_REMOVE = Route("clr", ID)
CART_PROMO = Route("clp", ID)
CART_DROP_PROMO = Route("clpx", ID)
CART_CLEAR = Route("cartx")
CHECKOUT = Route("co")  # the confirmation screen with the total
CONFIRM_CHECKOUT = Route("cook", ID)  # the cart's purchase intent, as CONFIRM_BUY
# Reviews
REVIEWS = Route("revs", ID, PAGE)
RATE = Route("rate", ID)  # the 1–5 buttons
RATE_WITH = Route("rated", ID, RATING)
SKIP_REVIEW_TEXT = Route("revskip", ID)

# --- Admin: promo codes, broadcasts, statistics, audit, maintenance ---------------
# Entered through ADMIN_PROMOS, ADMIN_BROADCAST, ADMIN_STATS, ADMIN_AUDIT and
# ADMIN_MAINTENANCE above; every handler re-checks the permission.
# Promo codes [manage_promos]
ADMIN_PROMO_LIST = Route("admprl", PAGE)
ADMIN_PROMO = Route("admprv", ID, PAGE)  # a code, and the list page to go back to
ADMIN_PROMO_ADD = Route("admpra")  # asks for the code, then each field in turn
ADMIN_PROMO_KIND = Route("admprk", choice("percent", "fixed", "balance"))
ADMIN_PROMO_SKIP = Route("admprs")  # skip an optional step of the code being written
ADMIN_PROMO_BIND = Route("admprb", choice("none", "cat", "prod"))
ADMIN_PROMO_CATEGORIES = Route("admprcs", choice("cat", "prod"), PAGE)
ADMIN_PROMO_BIND_CATEGORY = Route("admprc", ID)
ADMIN_PROMO_PRODUCTS = Route("admprps", ID, PAGE)  # the products of a category, to bind one
ADMIN_PROMO_BIND_PRODUCT = Route("admprp", ID)
ADMIN_PROMO_ACTIVE = Route("admprx", ID, ON_OFF, PAGE)
ADMIN_PROMO_DELETE = Route("admprd", ID, PAGE)  # asks first
ADMIN_PROMO_DELETE_YES = Route("admprdy", ID)
# Broadcasts [broadcast]
ADMIN_BROADCAST_NEW = Route("admbrn")  # asks for the text, then photo, button, audience
ADMIN_BROADCAST_SKIP = Route("admbrs", ID)  # skip the optional step of this draft
ADMIN_BROADCAST_AUDIENCE = Route("admbra", ID, choice("all", "buyers", "new", "en", "ru"))
ADMIN_BROADCAST_SEND = Route("admbry", ID)  # confirm after the preview
ADMIN_BROADCAST_PAID = Route("admbrp", ID, choice("on", "off"))  # the owner's paid speed, on the confirmation
ADMIN_BROADCAST_STOP = Route("admbrx", ID)  # the Cancel button of the progress message
# Audit log [view_audit]: the admin filter (0: everyone) and the action filter ("-": every action)
AUDIT_ACTOR: Field[int] = Field(r"0|[1-9]\d{0,17}", int)
AUDIT_ACTION: Field[str] = Field(r"-|[a-z][a-z_]{0,29}", str)
ADMIN_AUDIT_PAGE = Route("admaup", AUDIT_ACTOR, AUDIT_ACTION, PAGE)
ADMIN_AUDIT_FILTER = Route("admauf", choice("actor", "action"), AUDIT_ACTOR, AUDIT_ACTION)
ADMIN_AUDIT_FILE = Route("admauz", choice("log", "audit"))
# Maintenance [maintenance]
ADMIN_MAINTENANCE_SET = Route("admmnts", ON_OFF)
# Payments [refund_payments]: find, lists, the card, refunds and re-checks (handlers/admin_payments.py)
ADMIN_PAYMENTS = Route("admpy")  # the section: counts, find, the lists
ADMIN_PAYMENT_FIND = Route("admpyf")  # asks for a payment id, a Telegram charge id or a CryptoPay invoice id
ADMIN_PAYMENT_LIST = Route("admpyl", choice("review", "pending"), PAGE)
ADMIN_PAYMENT = Route("admpyv", ID)
ADMIN_PAYMENT_REFUND = Route("admpyr", ID, choice("stars", "manual"))  # asks for the reason
ADMIN_PAYMENT_REFUND_YES = Route("admpyy", ID)  # confirms the refund whose reason was typed
ADMIN_PAYMENT_RECHECK = Route("admpyc", ID)  # asks CryptoPay now
ADMIN_STARS_RECONCILE = Route("admpys")  # runs the Stars reconciliation now
