"""CSV exports of users, purchases, payments and the ledger from the admin."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils.timezone import make_aware

from accounts.models import AuditEntry, Customer
from catalog.models import Purchase
from catalog.services import purchase_product
from payments.models import LedgerEntry, Payment
from payments.services import adjust_balance, create_payment
from shopbot.exports import neutralise
from shopbot.test import ShopTestCase, make_customer, make_staff

EXPORTS = ["accounts_customer", "catalog_purchase", "payments_payment", "payments_ledgerentry"]


def at(day: str) -> datetime:
    return make_aware(datetime.fromisoformat(f"{day}T12:00:00"))


def rows_of(response: StreamingHttpResponse) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


class NeutraliseTests(SimpleTestCase):
    def test_it_quotes_text_a_spreadsheet_would_run(self) -> None:
        for text in ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x")']:
            with self.subTest(text=text):
                self.assertEqual(neutralise(text), "'" + text)

    def test_it_keeps_plain_text_and_numbers(self) -> None:
        self.assertEqual(neutralise("alice"), "alice")
        self.assertEqual(neutralise("a=b"), "a=b")
        self.assertEqual(neutralise(Decimal("-5.00")), "-5.00")
        self.assertEqual(neutralise(-3), "-3")
        self.assertEqual(neutralise(None), "")
        self.assertEqual(neutralise(True), "true")


class CsvExportTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)
        # Mallory typed a formula as her name, hoping staff open the export in a spreadsheet.
        cls.mallory = make_customer(
            1666, username="mallory", first_name="=cmd|' /C calc'!A0", last_name="@SUM(1)"
        )
        purchase_product(telegram_id=cls.alice.telegram_id, product_id=cls.key.pk)
        adjust_balance(
            actor=cls.root, telegram_id=cls.alice.telegram_id, amount="25", reason="-2+3", credit=False
        )
        create_payment(
            customer=cls.alice,
            provider=Payment.Provider.MANUAL,
            amount=Decimal("10"),
            provider_amount=Decimal("10"),
            provider_currency="RUB",
        )
        # Everything happened on 2024-03-10, except Bob, who registered long before.
        for model in (Customer, LedgerEntry, Payment, Purchase):
            model.objects.update(created=at("2024-03-10"))
        Customer.objects.filter(pk=cls.bob.pk).update(created=at("2020-01-01"))

    def setUp(self) -> None:
        self.client.force_login(self.root)

    def export(self, name: str, start: str = "2024-03-01", end: str = "2024-03-31"):  # type: ignore[no-untyped-def]
        return self.client.get(reverse(f"admin:{name}_export"), {"date_from": start, "date_to": end})

    def test_it_streams_each_table_for_the_range(self) -> None:
        for name in EXPORTS:
            with self.subTest(name=name):
                response = self.export(name)

                self.assertIsInstance(response, StreamingHttpResponse)
                self.assertEqual(response["Content-Type"], "text/csv")
                self.assertIn("attachment;", response["Content-Disposition"])
                self.assertGreater(len(rows_of(response)), 1)

    def test_it_exports_only_rows_in_the_range(self) -> None:
        rows = rows_of(self.export("accounts_customer"))

        ids = [row[0] for row in rows[1:]]
        self.assertIn(str(self.alice.telegram_id), ids)
        self.assertNotIn(str(self.bob.telegram_id), ids)
        self.assertEqual(rows_of(self.export("accounts_customer", "2024-03-11", "2024-03-31")), [rows[0]])

    def test_it_includes_the_whole_last_day(self) -> None:
        rows = rows_of(self.export("payments_ledgerentry", "2024-03-10", "2024-03-10"))

        self.assertEqual(len(rows) - 1, LedgerEntry.objects.count())

    def test_it_neutralises_formulas_but_keeps_negative_amounts(self) -> None:
        users = rows_of(self.export("accounts_customer"))
        ledger = rows_of(self.export("payments_ledgerentry"))

        mallory = next(row for row in users if row[1] == "mallory")
        self.assertEqual(mallory[2], "'=cmd|' /C calc'!A0")
        self.assertEqual(mallory[3], "'@SUM(1)")
        debit = next(row for row in ledger if row[4] == LedgerEntry.Kind.ADMIN_DEBIT)
        self.assertEqual(debit[5], "-25.00")
        self.assertEqual(debit[8], "'-2+3")

    def test_it_leaves_out_delivered_values(self) -> None:
        content = b"".join(self.export("catalog_purchase").streaming_content).decode()

        self.assertIn("Game key", content)
        self.assertNotIn("AAA-111", content)

    def test_it_audits_each_export(self) -> None:
        self.export("payments_payment")

        entry = AuditEntry.objects.get(action="export_csv")
        self.assertEqual(entry.target, "payment")
        self.assertEqual(entry.details, {"from": "2024-03-01", "to": "2024-03-31"})

    def test_it_shows_the_form_for_a_missing_or_bad_range(self) -> None:
        url = reverse("admin:payments_ledgerentry_export")

        self.assertContains(self.client.get(url), 'name="date_from"')
        for start, end in [
            ("2024-03-31", "2024-03-01"),
            ("junk", "2024-03-01"),
            ("0001-01-01", "9999-12-31"),
        ]:
            with self.subTest(start=start, end=end):
                response = self.export("payments_ledgerentry", start, end)

                self.assertEqual(response.status_code, 200)
                self.assertNotIsInstance(response, StreamingHttpResponse)
                self.assertContains(response, "errorlist")

    def test_it_links_the_export_from_the_changelist(self) -> None:
        response = self.client.get(reverse("admin:payments_ledgerentry_changelist"))

        self.assertContains(response, reverse("admin:payments_ledgerentry_export"))

    def test_it_refuses_staff_without_the_view_permission(self) -> None:
        self.client.force_login(make_staff("vic", permissions=["accounts.view_customer"]))

        self.assertEqual(self.export("payments_ledgerentry").status_code, 403)
        self.assertEqual(self.export("catalog_purchase").status_code, 403)
        self.assertEqual(self.export("accounts_customer").status_code, 200)
        self.assertFalse(AuditEntry.objects.filter(action="export_csv", target="ledgerentry").exists())

    def test_it_refuses_staff_without_any_permission(self) -> None:
        self.client.force_login(make_staff("nobody"))

        for name in EXPORTS:
            with self.subTest(name=name):
                self.assertEqual(self.export(name).status_code, 403)
