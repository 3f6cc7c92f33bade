from decimal import Decimal
from unittest import mock

from asgiref.sync import async_to_sync
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from accounts.models import AuditEntry, Customer
from payments import telegram_api
from payments.models import LedgerEntry, Payment, PaymentNotice
from payments.services import RefundAnswer, change_balance, record_manual_refund, start_top_up
from payments.tests.helpers import ALL_METHODS, pay_telegram, refund_stars
from shopbot.errors import InvalidInput, PermissionDenied, RefundPending, RefundRefused
from shopbot.test import ShopTestCase, ledger_matches_balance

STARS = Payment.Provider.STARS
OUTAGE = RefundAnswer(done=False, problem="TimedOut: Timed out")


def refused(description):
    return RefundAnswer(done=False, problem=description, definitive=True)


@ALL_METHODS
class RefundStarsPaymentTests(ShopTestCase):
    def paid_top_up(self, amount="20", provider=STARS):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=provider, amount=amount)
        pay_telegram(payment, charge_id=f"charge-{payment.pk}")
        payment.refresh_from_db()
        return payment

    def refund(self, payment, reason="Customer asked", answer=None, asked=None):
        kwargs = {"answer": answer} if answer else {}
        return refund_stars(actor=self.admin, payment_id=payment.pk, reason=reason, asked=asked, **kwargs)

    def balance(self):
        self.bob.refresh_from_db()
        self.assertTrue(ledger_matches_balance(self.bob))
        return self.bob.balance

    def test_it_returns_the_stars_and_takes_back_the_credit(self):
        payment = self.paid_top_up("20")

        asked = []
        refunded = self.refund(payment, asked=asked)

        self.assertEqual(
            [(r.user_id, r.charge_id) for r in asked], [(self.bob.telegram_id, payment.external_id)]
        )
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

        asked = []
        with self.assertRaisesMessage(
            RefundRefused, "the balance (5.00 RUB) is smaller than the 20.00 RUB this payment credited."
        ):
            self.refund(payment, asked=asked)

        self.assertEqual(asked, [])
        payment.refresh_from_db()
        self.assertEqual(payment.status, Payment.Status.PAID)
        self.assertEqual(self.balance(), Decimal("5.00"))

    def test_it_refuses_a_second_refund(self):
        payment = self.paid_top_up()
        self.refund(payment)

        asked = []
        with self.assertRaisesMessage(RefundRefused, "already been refunded"):
            self.refund(payment, asked=asked)

        self.assertEqual(asked, [])
        self.assertEqual(LedgerEntry.objects.filter(kind="refund").count(), 1)

    def test_it_refuses_other_methods_and_unpaid_payments(self):
        card = self.paid_top_up(provider=Payment.Provider.TELEGRAM)
        unpaid = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="5")

        asked = []
        with self.assertRaisesMessage(RefundRefused, "record a manual refund"):
            self.refund(card, asked=asked)
        with self.assertRaisesMessage(RefundRefused, "it was never paid."):
            self.refund(unpaid, asked=asked)
        self.assertEqual(asked, [])

    def test_it_gives_the_money_back_when_telegram_refuses(self):
        payment = self.paid_top_up("20")

        with self.assertRaisesMessage(RefundRefused, "the bot does not hold enough Stars to return them."):
            self.refund(payment, answer=refused("Bad Request: BALANCE_TOO_LOW"))

        payment.refresh_from_db()
        self.assertEqual(payment.status, Payment.Status.PAID)
        self.assertEqual(self.balance(), Decimal("20.00"))

    def test_it_holds_the_money_when_telegram_does_not_answer_and_finishes_on_retry(self):
        payment = self.paid_top_up("20")

        with self.assertRaises(RefundPending):
            self.refund(payment, answer=OUTAGE)
        payment.refresh_from_db()
        self.assertEqual((payment.status, self.balance()), (Payment.Status.REFUNDING, Decimal("0")))

        self.refund(payment)

        self.assertEqual(LedgerEntry.objects.filter(kind="refund").count(), 1)
        self.assertEqual(self.balance(), Decimal("0"))

    def test_it_refunds_a_charge_flagged_for_review_without_touching_the_balance(self):
        payment = start_top_up(telegram_id=self.bob.telegram_id, provider=STARS, amount="20")
        pay_telegram(payment, charge_id="odd", total_amount=1)

        self.refund(payment)

        payment.refresh_from_db()
        self.assertEqual(payment.status, Payment.Status.REFUNDED)
        self.assertFalse(LedgerEntry.objects.filter(customer=self.bob).exists())

    def test_it_requires_the_refund_permission_and_a_reason(self):
        payment = self.paid_top_up()

        asked = []
        with self.assertRaises(PermissionDenied):
            refund_stars(actor=self.alice, payment_id=payment.pk, reason="please", asked=asked)
        with self.assertRaises(InvalidInput):
            self.refund(payment, reason="   ", asked=asked)
        self.assertEqual(asked, [])


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
    def answer(self, error=None):
        bot = mock.Mock()
        bot.refund_star_payment = mock.AsyncMock(side_effect=error)
        return async_to_sync(telegram_api.refund_star_payment)(bot, user_id=1, charge_id="c")

    def test_it_counts_a_return_and_already_refunded_as_done(self):
        self.assertEqual(self.answer(), RefundAnswer(done=True))
        self.assertEqual(
            self.answer(BadRequest("Bad Request: CHARGE_ALREADY_REFUNDED")), RefundAnswer(done=True)
        )

    def test_it_tells_a_refusal_from_an_outage(self):
        refusals = [self.answer(BadRequest("CHARGE_NOT_FOUND")), self.answer(Forbidden("bot was blocked"))]
        outages = [
            self.answer(TimedOut()),
            self.answer(NetworkError("Bad Gateway")),
        ]

        self.assertEqual([answer.definitive for answer in refusals], [True, True])
        self.assertEqual([(answer.done, answer.definitive) for answer in outages], [(False, False)] * 2)
        self.assertIn("CHARGE_NOT_FOUND", refusals[0].problem)
