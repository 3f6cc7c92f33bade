"""Blocking with a reason: it is stored and audited, refuses open claims and every new top-up."""

from django.core.cache import cache

from accounts.cache import block_notice_key
from accounts.hooks import HookRegistry, block_hooks
from accounts.models import AuditEntry, Customer
from accounts.services import set_blocked
from catalog.models import Claim, Ticket
from catalog.services.claims import open_claim, wait_for_stock
from catalog.tests.test_claims import ClaimTestCase
from payments.models import Payment
from payments.money import to_minor_units
from payments.services import check_pre_checkout, start_top_up
from payments.tests.helpers import ALL_METHODS
from shopbot.errors import CustomerBlocked, InvalidInput, PermissionDenied


class BlockWithReasonTests(ClaimTestCase):
    def block(self, reason: object = "Chargebacks on three cards") -> Customer:
        return set_blocked(actor=self.admin, telegram_id=self.alice.telegram_id, blocked=True, reason=reason)

    def test_it_stores_the_reason_and_audits_it(self) -> None:
        self.block("  <b>Chargebacks</b>\n %(x)s  ")

        alice = Customer.objects.get(pk=self.alice.pk)
        self.assertEqual(alice.block_reason, "<b>Chargebacks</b> %(x)s")
        self.assertIsNotNone(alice.blocked_at)
        entry = AuditEntry.objects.get(action="block_user")
        self.assertEqual(entry.details["reason"], "<b>Chargebacks</b> %(x)s")

    def test_it_refuses_a_block_without_a_fitting_reason_and_changes_nothing(self) -> None:
        for reason in ("", "   ", "x" * 201, None, 42, ["a"]):
            with self.assertRaises(InvalidInput, msg=repr(reason)):
                self.block(reason)
        self.assertFalse(Customer.objects.get(pk=self.alice.pk).is_blocked)
        self.assertFalse(AuditEntry.objects.filter(action="block_user").exists())

    def test_it_refuses_the_open_and_waiting_claims_and_closes_their_tickets(self) -> None:
        first = self.claim()
        wait_for_stock(actor=self.admin, claim_id=first.pk)
        second_purchase = self.purchase_again()
        second = open_claim(
            telegram_id=self.alice.telegram_id, purchase_id=second_purchase.pk, reason=Claim.Reason.OTHER
        )

        self.block()

        for claim in Claim.objects.filter(pk__in=[first.pk, second.pk]):
            self.assertEqual(claim.status, Claim.Status.REJECTED)
            self.assertEqual(claim.decision_note, "customer blocked: Chargebacks on three cards")
            self.assertIsNotNone(claim.customer_told_at)  # the block notice is the only message
        self.assertFalse(Ticket.objects.filter(claim__in=[first, second], status=Ticket.Status.OPEN).exists())
        entry = AuditEntry.objects.get(action="block_user")
        self.assertEqual(entry.details["refused_claims"], [first.pk, second.pk])
        self.assertEqual(AuditEntry.objects.filter(action="claim_rejected").count(), 2)

    def test_it_leaves_other_customers_claims_and_decided_ones_alone(self) -> None:
        claim = self.claim()
        set_blocked(actor=self.admin, telegram_id=self.bob.telegram_id, blocked=True, reason="Spam")

        self.assertEqual(Claim.objects.get(pk=claim.pk).status, Claim.Status.OPEN)

    def test_it_refuses_a_staff_member_without_manage_users_and_keeps_the_claims(self) -> None:
        claim = self.claim()

        with self.assertRaises(PermissionDenied):
            set_blocked(actor=self.carol, telegram_id=self.alice.telegram_id, blocked=True, reason="Fraud")

        self.assertEqual(Claim.objects.get(pk=claim.pk).status, Claim.Status.OPEN)
        self.assertFalse(Customer.objects.get(pk=self.alice.pk).is_blocked)

    def test_unblocking_clears_the_reason_and_the_gates_notice_mark(self) -> None:
        self.block()
        cache.set(block_notice_key(self.alice.telegram_id), True)

        with self.captureOnCommitCallbacks(execute=True):
            set_blocked(actor=self.admin, telegram_id=self.alice.telegram_id, blocked=False)

        alice = Customer.objects.get(pk=self.alice.pk)
        self.assertEqual((alice.is_blocked, alice.block_reason, alice.blocked_at), (False, "", None))
        self.assertIsNone(cache.get(block_notice_key(self.alice.telegram_id)))

    def test_a_hook_registers_once(self) -> None:
        registry = HookRegistry("test")
        registry.register("one", lambda **kwargs: None)

        with self.assertRaises(RuntimeError):
            registry.register("one", lambda **kwargs: None)
        self.assertIn("refused_claims", block_hooks.names())

    def purchase_again(self):  # type: ignore[no-untyped-def]
        from catalog.services import purchase_product

        return purchase_product(telegram_id=self.alice.telegram_id, product_id=self.key.pk)


@ALL_METHODS
class BlockedTopUpTests(ClaimTestCase):
    def test_it_refuses_every_new_top_up(self) -> None:
        set_blocked(actor=self.admin, telegram_id=self.bob.telegram_id, blocked=True, reason="Fraud")

        for provider in (Payment.Provider.STARS, Payment.Provider.TELEGRAM, Payment.Provider.CRYPTOPAY):
            with self.assertRaises(CustomerBlocked, msg=provider):
                start_top_up(telegram_id=self.bob.telegram_id, provider=provider, amount="100")
        self.assertFalse(Payment.objects.filter(customer=self.bob).exists())

    def test_it_refuses_an_invoice_made_before_the_block_at_pre_checkout(self) -> None:
        stars = start_top_up(telegram_id=self.bob.telegram_id, provider=Payment.Provider.STARS, amount="100")
        card = start_top_up(
            telegram_id=self.bob.telegram_id, provider=Payment.Provider.TELEGRAM, amount="100"
        )
        set_blocked(actor=self.admin, telegram_id=self.bob.telegram_id, blocked=True, reason="Fraud")

        for payment in (stars, card):
            with self.assertRaises(CustomerBlocked):
                check_pre_checkout(
                    telegram_id=self.bob.telegram_id,
                    payload=payment.payload,
                    currency=payment.provider_currency,
                    total_amount=to_minor_units(payment.provider_amount, payment.provider_currency),
                )
