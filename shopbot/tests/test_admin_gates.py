"""Every web admin page opened by a shop permission refuses a staff login that lacks exactly that one."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from accounts.models import PERMISSION_CODENAMES
from shopbot.admin import ShopAdmin
from shopbot.exports import CsvExportMixin
from shopbot.test import ShopTestCase, make_staff

# Admins that a second permission opens as well: whoever refunds payments must find them.
ALSO_OPENED_BY = {"payments.payment": {"refund_payments"}}


def gated_admins() -> list[tuple[str, ShopAdmin]]:
    return [
        (model._meta.label_lower, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ShopAdmin) and model_admin.shop_permission
    ]


def pages(model_admin: ShopAdmin) -> list[str]:
    opts = model_admin.opts
    urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
    if isinstance(model_admin, CsvExportMixin):
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_export"))
    return urls


class AdminGateTests(ShopTestCase):
    def test_there_are_gated_admins_to_check(self) -> None:
        self.assertGreaterEqual(len(gated_admins()), 15)

    def test_it_refuses_each_page_to_staff_lacking_exactly_its_permission(self) -> None:
        for label, model_admin in gated_admins():
            lacking = {model_admin.shop_permission} | ALSO_OPENED_BY.get(label, set())
            held = [f"accounts.{code}" for code in PERMISSION_CODENAMES if code not in lacking]
            self.client.force_login(make_staff(f"all-but-{label}", permissions=held))
            for url in pages(model_admin):
                self.assertEqual(self.client.get(url).status_code, 403, f"{label} {url}")

    def test_it_opens_each_page_to_staff_with_only_its_permission(self) -> None:
        for label, model_admin in gated_admins():
            self.client.force_login(
                make_staff(f"only-{label}", permissions=[f"accounts.{model_admin.shop_permission}"])
            )
            for url in pages(model_admin):
                self.assertEqual(self.client.get(url).status_code, 200, f"{label} {url}")

    def test_it_opens_the_dashboard_only_with_view_statistics(self) -> None:
        others = [f"accounts.{code}" for code in PERMISSION_CODENAMES if code != "view_statistics"]
        self.client.force_login(make_staff("all-but-statistics", permissions=others))
        self.assertEqual(self.client.get("/dashboard/").status_code, 403)
        self.client.force_login(make_staff("statistics", permissions=["accounts.view_statistics"]))
        self.assertEqual(self.client.get("/dashboard/").status_code, 200)
