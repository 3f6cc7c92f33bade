"""Claims on Stars orders refunded through Telegram, and Telegram's own refunds, through the real bot."""

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group, Permission
from django.test import override_settings

from accounts.models import AuditEntry
from catalog.models import Claim, Purchase, StockUnit
from catalog.services import open_claim, purchase_product
from catalog.services.orders import start_order_payment
from payments.models import LedgerEntry, Payment, PaymentNotice
from payments.tests.helpers import pay_telegram
from shopbot.test import OWNER_ID, ledger_matches_balance, make_customer
from telegrambot import callbacks
from telegrambot.tests.helpers import BotTestCase

STARS = override_settings(STARS_PER_VALUE=Decimal("1"), PAY_CURRENCY="RUB")


@sync_to_async
def stars_order(test, lines, charge_id="stars-charge-1") -> tuple[Payment, Claim]:
    """Alice pays an order in Stars (delivered) and claims its first item."""
    payment = start_order_payment(telegram_id=test.alice.telegram_id, lines=lines)
    pay_telegram(payment, charge_id=charge_id)
    payment.refresh_from_db()
    first = Purchase.objects.filter(payment=payment).order_by("id").first()
    claim = open_claim(telegram_id=test.alice.telegram_id, purchase_id=first.pk, reason="not_working")
    return payment, claim


@sync_to_async
def state(claim: Claim):
    claim.refresh_from_db()
    purchases = list(Purchase.objects.filter(payment_id=claim.purchase.payment_id))
    units = StockUnit.objects.filter(
        pk__in=[p.unit_id for p in purchases], defective_at__isnull=False
    ).count()
    payment = Payment.objects.get(pk=claim.purchase.payment_id) if claim.purchase.payment_id else None
    return claim.status, claim.refund_to, [p.refunded_at is not None for p in purchases], units, payment


def make_staff_with(telegram_id: int, *codenames: str):
    role = Group.objects.create(name="Role " + "+".join(codenames))
    role.permissions.set(Permission.objects.filter(codename__in=codenames))
    return make_customer(telegram_id, role=role)


@STARS
class ClaimStarsRefundTests(BotTestCase):
    async def open_card(self, claim: Claim, telegram_id: int = OWNER_ID):
        shop, _alice = await self.start_chat(self.alice.telegram_id)
        staff = await shop.user(telegram_id)
        await staff.send("/start")
        await staff.press_data(callbacks.ADMIN_CLAIM.build(claim.pk))
        return shop, staff

    async def test_it_refunds_a_cart_order_as_a_whole_once_telegram_accepted(self) -> None:
        payment, claim = await stars_order(self, [(self.key.pk, 1), (self.gift.pk, 1)])
        shop, owner = await self.open_card(claim)
        shop.telegram.charges["stars-charge-1"] = {"user_id": self.alice.telegram_id, "refunded": False}
        self.assertIn(
            "Paid with Telegram Stars: payment #%s, 15 XTR, 2 items." % payment.pk, owner.screen.text
        )
        self.assertNotIn("🧾 Record manual refund", owner.screen.labels)

        await owner.press("⭐ Refund in Stars (whole order)")
        self.assertIn("A cart order is refunded only as a whole.", owner.screen.text)
        self.assertIn("all 2 items of this order", owner.screen.text)
        await owner.press("✅ Yes, decide")

        self.assertIn("Refunded. The customer has been told.", owner.screen.text)
        status, refund_to, refunded, defective, paid = await state(claim)
        self.assertEqual((status, refund_to, refunded, defective), ("refunded", "stars", [True, True], 1))
        self.assertEqual(paid.status, Payment.Status.REFUNDED)
        self.assertIs(shop.telegram.charges["stars-charge-1"]["refunded"], True)
        alice = await shop.user(self.alice.telegram_id, first_name="Alice")
        texts = " ".join(message.text for message in alice.messages)
        self.assertIn("the whole order was refunded in Telegram Stars", texts)
        self.assertEqual(await LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).acount(), 0)
        self.assertTrue(await AuditEntry.objects.filter(action="claim_refunded").aexists())
        self.assertTrue(await sync_to_async(ledger_matches_balance)(self.alice))

        answer = await owner.press_data(callbacks.ADMIN_CLAIM_YES.build(claim.pk, "stars"))
        self.assertIn("already been refunded", str(answer))
        self.assertEqual(len(shop.telegram.calls_to("refundStarPayment")), 1)

    async def test_it_leaves_the_claim_undecided_when_telegram_refuses(self) -> None:
        payment, claim = await stars_order(self, [(self.key.pk, 1)], charge_id="unknown-to-telegram")
        _shop, owner = await self.open_card(claim)

        await owner.press("⭐ Refund in Stars (whole order)")
        with owner.allowing_rejections():
            answer = await owner.press("✅ Yes, decide")

        self.assertIn("Telegram does not know this charge.", str(answer) + owner.screen.text)
        status, refund_to, refunded, defective, paid = await state(claim)
        self.assertEqual((status, refund_to, refunded, defective), ("open", "", [False], 0))
        self.assertEqual(paid.status, Payment.Status.PAID)

    async def test_it_offers_a_manual_refund_for_a_balance_order(self) -> None:
        purchase = await sync_to_async(purchase_product)(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk
        )
        claim = await sync_to_async(open_claim)(
            telegram_id=self.alice.telegram_id, purchase_id=purchase.pk, reason="other"
        )
        shop, owner = await self.open_card(claim)
        self.assertIn("Paid from the balance.", owner.screen.text)
        self.assertNotIn("⭐ Refund in Stars (whole order)", owner.screen.labels)
        answer = await owner.press_data(callbacks.ADMIN_CLAIM_YES.build(claim.pk, "stars"))
        self.assertIn("was not paid with Telegram Stars", str(answer) + owner.screen.text)

        await owner.press("🧾 Record manual refund")
        await owner.press("✅ Yes, decide")

        status, refund_to, _refunded, _defective, _paid = await state(claim)
        self.assertEqual((status, refund_to), ("refunded", "manual"))
        self.assertEqual(await LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).acount(), 0)
        alice = await shop.user(self.alice.telegram_id, first_name="Alice")
        self.assertIn("the price was returned to you outside the shop", alice.screen.text)

    async def test_it_refuses_staff_lacking_either_permission_and_audits_it(self) -> None:
        _payment, claim = await stars_order(self, [(self.key.pk, 1)])
        claims_only = await sync_to_async(make_staff_with)(3201, "manage_claims")
        refunds_only = await sync_to_async(make_staff_with)(3202, "refund_payments")
        shop, _alice = await self.start_chat(self.alice.telegram_id)
        shop.telegram.charges["stars-charge-1"] = {"user_id": self.alice.telegram_id, "refunded": False}

        for staff in (claims_only, refunds_only):
            user = await shop.user(staff.telegram_id)
            await user.send("/start")
            await user.press_data(callbacks.ADMIN_CLAIM_YES.build(claim.pk, "stars"))
            denied = AuditEntry.objects.filter(actor=staff, action="permission_denied")
            self.assertTrue(await denied.aexists())

        self.assertEqual((await state(claim))[0], "open")
        self.assertEqual(shop.telegram.calls_to("refundStarPayment"), [])

    async def test_it_refuses_forged_decisions(self) -> None:
        _payment, claim = await stars_order(self, [(self.key.pk, 1)])
        _shop, owner = await self.start_chat(OWNER_ID)

        await owner.press_data(f"admcly:{claim.pk}:bogus", strict=False)
        answer = await owner.press_data(callbacks.ADMIN_CLAIM_YES.build(999999, "stars"))

        self.assertIn("This claim was not found.", str(answer) + owner.screen.text)
        self.assertEqual((await state(claim))[0], "open")


@STARS
class RefundedPaymentTests(BotTestCase):
    async def test_it_records_an_order_refunded_by_telegram_once_and_tells_staff(self) -> None:
        payment, claim = await stars_order(self, [(self.key.pk, 1)])
        shop, alice = await self.start_chat(self.alice.telegram_id)
        owner = await shop.user(OWNER_ID)
        await owner.send("/start")

        for _replay in range(2):
            with alice.allowing_rejections():  # Adam (refund_payments) never opened the bot
                await alice.refunded_payment(
                    payload=payment.payload, currency="XTR", total_amount=10, charge_id="stars-charge-1"
                )

        status, refund_to, refunded, defective, paid = await state(claim)
        self.assertEqual((status, refund_to, refunded, defective), ("refunded", "stars", [True], 1))
        self.assertEqual(paid.status, Payment.Status.REFUNDED)
        self.assertIn("Telegram refunded Stars payment #%s" % payment.pk, owner.screen.text)
        staff_notices = PaymentNotice.objects.filter(kind=PaymentNotice.Kind.REFUNDED_OUTSIDE)
        self.assertEqual(await staff_notices.acount(), 2)  # the owner and Adam, once each
        self.assertEqual(await AuditEntry.objects.filter(action="refund_payment_outside").acount(), 1)
        self.assertTrue(await sync_to_async(ledger_matches_balance)(self.alice))

    async def test_it_takes_back_a_refunded_top_up_and_records_what_is_owed(self) -> None:
        payment = await sync_to_async(top_up_spent)(self)
        shop, bob = await self.start_chat(self.bob.telegram_id)
        owner = await shop.user(OWNER_ID)
        await owner.send("/start")

        with bob.allowing_rejections():  # Adam (refund_payments) never opened the bot
            await bob.refunded_payment(
                payload=payment.payload, currency="XTR", total_amount=20, charge_id="top-up-1"
            )

        payment = await Payment.objects.aget(pk=payment.pk)
        self.assertEqual((payment.status, payment.refund_owed), (Payment.Status.REFUNDED, Decimal("15.00")))
        self.assertIn("the customer owes 15.00 RUB", owner.screen.text)
        self.assertTrue(await sync_to_async(ledger_matches_balance)(self.bob))

    async def test_it_ignores_an_unknown_charge(self) -> None:
        _shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.refunded_payment(payload="nothing", currency="XTR", total_amount=5, charge_id="never-seen")

        self.assertEqual(await AuditEntry.objects.filter(action="refund_payment_outside").acount(), 0)


def top_up_spent(test) -> Payment:
    """Bob tops up 20 in Stars and spends 15 of it."""
    from payments.services import start_top_up

    payment = start_top_up(telegram_id=test.bob.telegram_id, provider=Payment.Provider.STARS, amount="20")
    pay_telegram(payment, charge_id="top-up-1")
    payment.refresh_from_db()
    from django.db import transaction

    from accounts.models import Customer
    from payments.services import change_balance

    with transaction.atomic():
        bob = Customer.objects.select_for_update().get(pk=test.bob.pk)
        change_balance(customer=bob, amount=Decimal("-15"), kind=LedgerEntry.Kind.PURCHASE)
    return payment
