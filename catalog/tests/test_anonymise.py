"""Anonymising a customer: names and texts go, purchases and the ledger stay, /mydata shows what is left."""

import json

from django.contrib.auth.models import Group, Permission

from accounts.models import AuditEntry, Customer
from accounts.roles import invalidate_role_cache
from accounts.services import register_customer, set_blocked
from accounts.services.anonymise import anonymise_customer
from catalog.models import CartLine, Claim, Review, TicketMessage, TicketNotice, WaitlistEntry
from catalog.selectors.customer_data import export_customer_data
from catalog.services import add_to_cart, save_review
from catalog.services.tickets import open_ticket, reply_to_ticket
from catalog.services.waitlist import toggle_waitlist
from catalog.tests.test_claims import ClaimTestCase
from payments.models import LedgerEntry, Payment, PaymentNotice
from payments.services import start_top_up
from payments.tests.helpers import ALL_METHODS
from shopbot.errors import InvalidInput, OwnerProtected, PermissionDenied
from shopbot.test import ledger_matches_balance, make_customer, make_product
from telegrambot.models import DialogState

SECRET = "my phone is +1 555 0100, <b>Alice</b> Smith"


@ALL_METHODS
class AnonymiseTests(ClaimTestCase):
    def setUp(self) -> None:
        super().setUp()
        Customer.objects.filter(pk=self.alice.pk).update(last_name="Smith")
        self.claim(text=SECRET)
        message = open_ticket(telegram_id=self.alice.telegram_id, text=SECRET)
        reply_to_ticket(actor=self.owner, ticket_id=message.ticket_id, text="Dear Alice Smith, we are on it")
        save_review(telegram_id=self.alice.telegram_id, product_id=self.key.pk, rating=5, text=SECRET)
        sold_out = make_product(self.games, "Sold out", "1.00")
        toggle_waitlist(telegram_id=self.alice.telegram_id, product_id=sold_out.pk)
        add_to_cart(telegram_id=self.alice.telegram_id, product_id=self.gift.pk)
        payment = start_top_up(
            telegram_id=self.alice.telegram_id, provider=Payment.Provider.CRYPTOPAY, amount="100"
        )
        Payment.objects.filter(pk=payment.pk).update(pay_url="https://t.me/CryptoBot?start=IV123")
        PaymentNotice.objects.create(payment=payment, telegram_id=self.alice.telegram_id, kind="credited")
        DialogState.objects.create(
            telegram_id=self.alice.telegram_id, state="ticket_text", data={"text": SECRET}
        )
        AuditEntry.objects.create(actor_label="9000", action="credit_balance", target="@alice")

    def anonymise(self, actor=None):  # type: ignore[no-untyped-def]
        return anonymise_customer(actor=actor or self.owner, telegram_id=self.alice.telegram_id)

    def test_it_removes_names_and_texts_and_keeps_the_accounting(self) -> None:
        purchases, ledger = (
            self.alice.purchases.count(),
            LedgerEntry.objects.filter(customer=self.alice).count(),
        )

        customer = self.anonymise()

        self.assertEqual((customer.username, customer.first_name, customer.last_name), ("", "", ""))
        self.assertEqual(str(customer), f"deleted #{customer.pk}")
        self.assertEqual(customer.display_name, f"deleted #{customer.pk}")
        self.assertFalse(TicketMessage.objects.filter(ticket__customer=customer).exclude(text="").exists())
        self.assertFalse(
            TicketNotice.objects.filter(sent_at__isnull=True, message__ticket__customer=customer).exists()
        )
        self.assertEqual(list(Claim.objects.filter(customer=customer).values_list("text", flat=True)), [""])
        self.assertEqual(
            list(Review.objects.filter(customer=customer).values_list("text", "rating")), [("", 5)]
        )
        self.assertFalse(CartLine.objects.filter(customer=customer).exists())
        self.assertFalse(WaitlistEntry.objects.filter(customer=customer).exists())
        self.assertFalse(Payment.objects.filter(customer=customer).exclude(pay_url="").exists())
        self.assertFalse(PaymentNotice.objects.filter(telegram_id=customer.telegram_id).exists())
        self.assertFalse(DialogState.objects.filter(telegram_id=customer.telegram_id).exists())
        self.assertEqual(customer.purchases.count(), purchases)
        self.assertEqual(LedgerEntry.objects.filter(customer=customer).count(), ledger)
        self.assertTrue(ledger_matches_balance(customer))
        entry = AuditEntry.objects.get(action="anonymise_customer")
        self.assertEqual(entry.target, f"deleted #{customer.pk}")
        self.assertFalse(AuditEntry.objects.filter(target="@alice").exists())

    def test_mydata_afterwards_holds_no_name_or_text_but_the_purchases(self) -> None:
        self.anonymise()

        document = export_customer_data(telegram_id=self.alice.telegram_id)

        text = document.decode()
        for gone in ("alice", "Alice", "Smith", "555 0100", "IV123"):
            self.assertNotIn(gone, text)
        data = json.loads(document)
        self.assertIsNotNone(data["profile"]["anonymised"])
        self.assertEqual(data["profile"]["username"], "")
        self.assertEqual(len(data["purchases"]), 1)
        self.assertEqual(data["purchases"][0]["value"], "AAA-111")

    def test_it_is_idempotent_and_names_never_come_back(self) -> None:
        self.anonymise()
        self.anonymise()
        register_customer(telegram_id=self.alice.telegram_id, username="alice", first_name="Alice")

        customer = Customer.objects.get(pk=self.alice.pk)
        self.assertEqual((customer.username, customer.first_name), ("", ""))
        self.assertEqual(AuditEntry.objects.filter(action="anonymise_customer").count(), 1)

    def test_it_refuses_the_owner_staff_and_oneself(self) -> None:
        with self.assertRaises(OwnerProtected):
            anonymise_customer(actor=self.owner, telegram_id=self.owner.telegram_id)
        with self.assertRaises(InvalidInput):
            anonymise_customer(actor=self.owner, telegram_id=self.admin.telegram_id)
        self.assertEqual(Customer.objects.get(pk=self.admin.pk).username, self.admin.username)

    def test_it_refuses_staff_lacking_exactly_the_permission_and_audits(self) -> None:
        # The built-in Admin role holds every shop permission but roles and anonymising.
        with self.assertRaises(PermissionDenied):
            self.anonymise(actor=self.admin)

        self.assertEqual(Customer.objects.get(pk=self.alice.pk).username, "alice")
        self.assertTrue(
            AuditEntry.objects.filter(action="permission_denied", target="anonymise_customer").exists()
        )
        role = Group.objects.create(name="Privacy")
        role.permissions.set(Permission.objects.filter(codename="anonymise_customers"))
        carl = make_customer(3002, username="carl", role=role)
        invalidate_role_cache(role.pk)

        self.anonymise(actor=carl)

        self.assertEqual(Customer.objects.get(pk=self.alice.pk).username, "")

    def test_a_blocked_customer_stays_blocked(self) -> None:
        set_blocked(actor=self.owner, telegram_id=self.alice.telegram_id, blocked=True, reason="Fraud")

        self.anonymise()

        self.assertTrue(Customer.objects.get(pk=self.alice.pk).is_blocked)
