from decimal import Decimal
from unittest import mock

from accounts.models import AuditEntry, Customer
from payments import telegram_api
from payments.models import LedgerEntry, Payment, PaymentNotice
from payments.services import change_balance, record_manual_refund, refund_stars_payment, start_top_up
from payments.tests.helpers import ALL_METHODS, pay_telegram
from shopbot.errors import InvalidInput, PermissionDenied, RefundPending, RefundRefused
from shopbot.test import ShopTestCase, ledger_matches_balance

STARS = Payment.Provider.STARS
REFUND_CALL = "payments.telegram_api.refund_star_payment"


def refused(description, status=400):
    return telegram_api.TelegramRefundError(description, definitive=400 <= status < 500 and status != 429)


@ALL_METHODS
class RefundStarsPaymentTests(ShopTestCase):
    def paid_top_up(self, amount="20", provider=STARS):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=provider, amount=amount)
        pay_telegram(payment, charge_id=f"charge-{payment.pk}")
        payment.refresh_from_db()
        return payment

    def refund(self, payment, reason="Customer asked"):
        return refund_stars_payment(actor=self.admin, payment_id=payment.pk, reason=reason)

    def balance(self):
        self.bob.refresh_from_db()
        self.assertTrue(ledger_matches_balance(self.bob))
        return self.bob.balance

    def test_it_returns_the_stars_and_takes_back_the_credit(self):
        payment = self.paid_top_up("20")

        with mock.patch(REFUND_CALL) as call:
            refunded = self.refund(payment)

        call.assert_called_once_with(user_id=self.bob.telegram_id, charge_id=payment.external_id)
        self.assertEqual(refunded.status, Payment.Status.REFUNDED)
        self.assertIsNotNone(refunded.refunded_at)
        self.assertEqual(self.balance(), Decimal("0"))
        entry = LedgerEntry.objects.filter(customer=self.bob).first()
        self.assertEqual((entry.kind, entry.amount), (LedgerEntry.Kind.REFUND, Decimal("-20.00")))
        self.assertTrue(AuditEntry.objects.filter(action="refund_payment").exists())
        self.assertTrue(PaymentNotice.objects.filter(payment=payment, kind="refunded").exists())

    def test_it_refuses_a_refund_larger_than_the_balance_and_calls_nobody(self):
        payment = self.paid_top_up("20")
        # Bob spent most of it meanwhile.
        change_balance(customer=Customer.objects.get(pk=self.bob.pk), amount=Decimal("-15"), kind="purchase")

        with (
            mock.patch(REFUND_CALL) as call,
            self.assertRaisesMessage(
                RefundRefused, "the balance (5.00 RUB) is smaller than the 20.00 RUB this payment credited."
            ),
        ):
            self.refund(payment)

        call.assert_not_called()
        payment.refresh_from_db()
        self.assertEqual(payment.status, Payment.Status.PAID)
        self.assertEqual(self.balance(), Decimal("5.00"))

    def test_it_refuses_a_second_refund(self):
        payment = self.paid_top_up()
        with mock.patch(REFUND_CALL):
            self.refund(payment)

        with (
            mock.patch(REFUND_CALL) as call,
            self.assertRaisesMessage(RefundRefused, "already been refunded"),
        ):
            self.refund(payment)

        call.assert_not_called()
        self.assertEqual(LedgerEntry.objects.filter(kind="refund").count(), 1)

    def test_it_refuses_other_methods_and_unpaid_payments(self):
        card = self.paid_top_up(provider=Payment.Provider.TELEGRAM)
        unpaid = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="5")

        with mock.patch(REFUND_CALL) as call:
            with self.assertRaisesMessage(RefundRefused, "record a manual refund"):
                self.refund(card)
            with self.assertRaisesMessage(RefundRefused, "it was never paid."):
                self.refund(unpaid)
        call.assert_not_called()

    def test_it_gives_the_money_back_when_telegram_refuses(self):
        payment = self.paid_top_up("20")

        with mock.patch(REFUND_CALL, side_effect=refused("Bad Request: BALANCE_TOO_LOW")):
            with self.assertRaisesMessage(
                RefundRefused, "the bot does not hold enough Stars to return them."
            ):
                self.refund(payment)

        payment.refresh_from_db()
        self.assertEqual(payment.status, Payment.Status.PAID)
        self.assertEqual(self.balance(), Decimal("20.00"))

    def test_it_holds_the_money_when_telegram_does_not_answer_and_finishes_on_retry(self):
        payment = self.paid_top_up("20")

        with mock.patch(REFUND_CALL, side_effect=refused("ReadTimeout", status=502)):
            with self.assertRaises(RefundPending):
                self.refund(payment)
        payment.refresh_from_db()
        self.assertEqual((payment.status, self.balance()), (Payment.Status.REFUNDING, Decimal("0")))

        with mock.patch(REFUND_CALL):
            self.refund(payment)

        self.assertEqual(LedgerEntry.objects.filter(kind="refund").count(), 1)
        self.assertEqual(self.balance(), Decimal("0"))

    def test_it_refunds_a_charge_flagged_for_review_without_touching_the_balance(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="20")
        pay_telegram(payment, charge_id="odd", total_amount=1)

        with mock.patch(REFUND_CALL):
            self.refund(payment)

        payment.refresh_from_db()
        self.assertEqual(payment.status, Payment.Status.REFUNDED)
        self.assertFalse(LedgerEntry.objects.filter(customer=self.bob).exists())

    def test_it_requires_the_refund_permission_and_a_reason(self):
        payment = self.paid_top_up()

        with mock.patch(REFUND_CALL) as call:
            with self.assertRaises(PermissionDenied):
                refund_stars_payment(actor=self.alice, payment_id=payment.pk, reason="please")
            with self.assertRaises(InvalidInput):
                self.refund(payment, reason="   ")
        call.assert_not_called()


@ALL_METHODS
class RecordManualRefundTests(ShopTestCase):
    def test_it_records_a_card_refund_and_debits_the_credit(self):
        payment = start_top_up(
            telegram_id=self.bob.telegram_id, provider=Payment.Provider.TELEGRAM, amount="20"
        )
        pay_telegram(payment)

        refunded = record_manual_refund(
            actor=self.admin, payment_id=payment.pk, reason="Refunded by the bank"
        )

        self.assertEqual(refunded.status, Payment.Status.REFUNDED)
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("0"))
        self.assertTrue(ledger_matches_balance(self.bob))

    def test_it_sends_stars_to_telegram_instead(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="20")
        pay_telegram(payment)

        with self.assertRaisesMessage(RefundRefused, "Stars payments are refunded through Telegram."):
            record_manual_refund(actor=self.admin, payment_id=payment.pk, reason="x")


class RefundStarPaymentCallTests(ShopTestCase):
    def answer(self, status, body):
        response = mock.Mock(status_code=status)
        response.json.return_value = body
        return mock.patch("httpx.post", return_value=response)

    def test_it_counts_already_refunded_as_done(self):
        with self.answer(400, {"ok": False, "description": "Bad Request: CHARGE_ALREADY_REFUNDED"}):
            telegram_api.refund_star_payment(user_id=1, charge_id="c")

    def test_it_tells_a_refusal_from_an_outage(self):
        with self.answer(400, {"ok": False, "description": "Bad Request: CHARGE_NOT_FOUND"}):
            with self.assertRaises(telegram_api.TelegramRefundError) as refusal:
                telegram_api.refund_star_payment(user_id=1, charge_id="c")
        with self.answer(502, {"ok": False, "description": "Bad Gateway"}):
            with self.assertRaises(telegram_api.TelegramRefundError) as outage:
                telegram_api.refund_star_payment(user_id=1, charge_id="c")
        self.assertEqual((refusal.exception.definitive, outage.exception.definitive), (True, False))
