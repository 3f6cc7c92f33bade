"""Maintenance mode switched from the web admin through telegrambot.services.maintenance."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import AuditEntry
from accounts.roles import ADMIN_ROLE
from shopbot.test import ShopTestCase, make_staff
from telegrambot.models import MaintenanceMode
from telegrambot.services.maintenance import is_maintenance_on, set_maintenance

CHANGELIST = reverse("admin:telegrambot_maintenancemode_changelist")


class MaintenanceAdminTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)
        set_maintenance(actor=cls.root, enabled=False)
        cls.flag = MaintenanceMode.objects.get()

    def switch(self, action: str):  # type: ignore[no-untyped-def]
        data = {"action": action, "_selected_action": [self.flag.pk], "index": "0"}
        return self.client.post(CHANGELIST, data, follow=True)

    def test_it_closes_and_opens_the_shop_with_an_audit_entry(self) -> None:
        self.client.force_login(self.root)

        response = self.switch("switch_on")

        self.assertContains(response, "The shop is closed for maintenance.")
        self.assertIs(is_maintenance_on(), True)
        self.assertTrue(AuditEntry.objects.filter(action="maintenance_on", actor_label="web:root").exists())

        self.switch("switch_off")

        self.assertIs(is_maintenance_on(), False)

    def test_it_does_not_offer_the_switch_without_the_permission(self) -> None:
        # The built-in Admin role holds "maintenance"; a staff member with only a view permission does not.
        self.client.force_login(make_staff("vic", permissions=["telegrambot.view_maintenancemode"]))

        response = self.switch("switch_on")

        self.assertNotContains(response, "Close the shop for maintenance")
        self.assertIs(is_maintenance_on(), False)

    def test_it_lets_the_admin_role_switch(self) -> None:
        self.client.force_login(make_staff("sam", roles=[ADMIN_ROLE]))

        self.switch("switch_on")

        self.assertIs(is_maintenance_on(), True)
