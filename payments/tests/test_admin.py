"""The "Credit balance…" and "Debit balance…" admin actions, and the read-only money history."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from accounts.models import AuditEntry, Customer
from accounts.roles import ADMIN_ROLE
from payments.models import LedgerEntry
from shopbot.test import ShopTestCase, ledger_matches_balance, make_staff, row_counts

CHANGELIST = reverse("admin:accounts_customer_changelist")
HOSTILE_AMOUNTS = [
    "0",
    "-5",
    "NaN",
    "Infinity",
    "1e3",
    "12.345",
    "99999999999999",
    "<b>5</b>",
    "5;DROP TABLE x",
    "5; DROP TABLE payments_ledgerentry",  # longer than the form's field
    "5²",
    "20000",  # above MAX_AMOUNT
]
HOSTILE_REASONS = ["", "   ", "x" * 201, "\n\t"]


class BalanceActionTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Root is a web superuser; Sam is web staff holding the built-in Admin role.
        cls.root = make_staff("root", superuser=True)
        cls.sam = make_staff("sam", roles=[ADMIN_ROLE])
        # Vic may look at users in the web admin but not touch their money.
        cls.vic = make_staff("vic", permissions=["accounts.view_customer"])

    def act(self, action: str, customers: list[Customer], **fields: str):  # type: ignore[no-untyped-def]
        data = {"action": action, "_selected_action": [c.pk for c in customers], "apply": "1", **fields}
        return self.client.post(CHANGELIST, data, follow=True)

    def money(self) -> dict[str, object]:
        return {
            **row_counts(LedgerEntry, AuditEntry),
            "balances": list(Customer.objects.order_by("pk").values_list("balance", flat=True)),
        }

    def test_it_asks_for_an_amount_and_a_reason_first(self) -> None:
        self.client.force_login(self.root)
        data = {"action": "credit_balance", "_selected_action": [self.alice.pk], "index": "0"}

        response = self.client.post(CHANGELIST, data)

        self.assertContains(response, 'name="amount"')
        self.assertContains(response, 'name="reason"')
        self.assertContains(response, "@alice")
        self.assertEqual(LedgerEntry.objects.filter(customer=self.alice).count(), 1)

    def test_it_credits_with_a_ledger_row_and_an_audit_entry(self) -> None:
        self.client.force_login(self.root)

        response = self.act("credit_balance", [self.alice], amount="15.50", reason="Goodwill for a late key")

        self.assertContains(response, "Credited 1 users.")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("65.50"))
        entry = self.alice.ledger.order_by("-id").first()
        self.assertEqual(entry.kind, LedgerEntry.Kind.ADMIN_CREDIT)
        self.assertEqual(entry.amount, Decimal("15.50"))
        self.assertEqual(entry.reason, "Goodwill for a late key")
        audit = AuditEntry.objects.get(action="credit_balance")
        self.assertEqual(audit.actor_label, "web:root")
        self.assertEqual(audit.details["amount"], "15.50")
        self.assertTrue(ledger_matches_balance(self.alice))

    def test_it_debits(self) -> None:
        self.client.force_login(self.root)

        self.act("debit_balance", [self.alice], amount="20", reason="Chargeback")

        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("30.00"))
        self.assertEqual(self.alice.ledger.order_by("-id").first().amount, Decimal("-20.00"))
        self.assertTrue(AuditEntry.objects.filter(action="debit_balance").exists())

    def test_it_refuses_a_debit_below_zero_and_changes_nothing(self) -> None:
        self.client.force_login(self.root)
        before = self.money()

        response = self.act("debit_balance", [self.bob], amount="5", reason="Oops")

        self.assertContains(response, "Not enough money")
        self.assertContains(response, 'name="amount"')  # the form again, to correct
        self.assertEqual(self.money(), before)

    def test_it_refuses_hostile_amounts_and_changes_nothing(self) -> None:
        self.client.force_login(self.root)
        before = self.money()
        for amount in HOSTILE_AMOUNTS:
            with self.subTest(amount=amount):
                response = self.act("credit_balance", [self.alice], amount=amount, reason="Test")

                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'name="amount"')  # the form again, to correct
                self.assertRegex(response.content.decode(), "Enter an amount|errorlist")
                self.assertEqual(self.money(), before)

    def test_it_refuses_hostile_reasons_and_changes_nothing(self) -> None:
        self.client.force_login(self.root)
        before = self.money()
        for reason in HOSTILE_REASONS:
            with self.subTest(reason=reason):
                response = self.act("credit_balance", [self.alice], amount="5", reason=reason)

                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'name="reason"')
                self.assertEqual(self.money(), before)

    def test_it_keeps_html_in_a_reason_as_text(self) -> None:
        self.client.force_login(self.root)
        self.act("credit_balance", [self.alice], amount="5", reason="<script>alert(1)</script>")

        response = self.client.get(reverse("admin:payments_ledgerentry_changelist"))

        self.assertNotContains(response, "<script>alert(1)")
        self.assertContains(response, "&lt;script&gt;")

    def test_it_changes_every_chosen_balance_or_none(self) -> None:
        self.client.force_login(self.root)
        before = self.money()

        response = self.act("debit_balance", [self.alice, self.bob], amount="10", reason="Batch")

        self.assertContains(response, "@bob: Not enough money")
        self.assertEqual(self.money(), before)

    def test_it_lets_staff_with_the_admin_role_credit(self) -> None:
        self.client.force_login(self.sam)

        self.act("credit_balance", [self.bob], amount="7", reason="Promo gift")

        self.bob.refresh_from_db()
        self.assertEqual(self.bob.balance, Decimal("7.00"))
        self.assertEqual(AuditEntry.objects.get(action="credit_balance").actor_label, "web:sam")

    def test_it_refuses_staff_without_the_permission(self) -> None:
        self.client.force_login(self.vic)
        before = self.money()

        response = self.act("credit_balance", [self.alice], amount="5", reason="Sneaky")

        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Credit balance…")
        self.assertEqual(self.money(), before)

    def test_it_refuses_staff_without_any_permission(self) -> None:
        self.client.force_login(make_staff("nobody"))
        before = self.money()

        response = self.act("credit_balance", [self.alice], amount="5", reason="Sneaky")

        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.money(), before)

    def test_it_never_offers_the_balance_as_a_field(self) -> None:
        self.client.force_login(self.root)
        url = reverse("admin:accounts_customer_change", args=[self.alice.pk])

        self.client.post(url, {"language": "ru", "balance": "1000000"})

        self.alice.refresh_from_db()
        self.assertEqual(self.alice.balance, Decimal("50.00"))
        self.assertEqual(self.alice.language, "ru")


class LedgerAdminTests(ShopTestCase):
    def test_it_shows_the_ledger_to_staff_who_manage_balances(self) -> None:
        self.client.force_login(make_staff("sam", roles=[ADMIN_ROLE]))

        response = self.client.get(reverse("admin:payments_ledgerentry_changelist"))

        self.assertContains(response, "@alice")

    def test_it_hides_the_ledger_from_other_staff(self) -> None:
        self.client.force_login(make_staff("vic", permissions=["accounts.view_customer"]))

        response = self.client.get(reverse("admin:payments_ledgerentry_changelist"))

        self.assertEqual(response.status_code, 403)
