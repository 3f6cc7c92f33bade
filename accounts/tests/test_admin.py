"""Block, unblock and role actions of the users' admin, through accounts.services."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import AuditEntry, Customer
from accounts.roles import ADMIN_ROLE, OWNER_ROLE
from shopbot.test import ShopTestCase, make_staff

CHANGELIST = reverse("admin:accounts_customer_changelist")


class CustomerActionTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Root is a web superuser; Sam is web staff with the built-in Admin role (no manage_roles).
        cls.root = make_staff("root", superuser=True)
        cls.sam = make_staff("sam", roles=[ADMIN_ROLE])

    def act(self, action: str, customers: list, **fields: object):  # type: ignore[no-untyped-def]
        data = {"action": action, "_selected_action": [c.pk for c in customers], "index": "0", **fields}
        return self.client.post(CHANGELIST, data, follow=True)

    def test_it_blocks_and_unblocks_with_an_audit_entry(self) -> None:
        self.client.force_login(self.sam)

        form = self.act("block", [self.alice])
        self.assertContains(form, 'name="reason"')
        for bad in ("", "x" * 201):
            refused = self.act("block", [self.alice], apply="1", reason=bad)
            self.assertContains(refused, 'name="reason"')
        self.assertIs(Customer.objects.get(pk=self.alice.pk).is_blocked, False)

        response = self.act("block", [self.alice], apply="1", reason="<b>Chargebacks</b>")

        self.assertContains(response, "Blocked 1 users.")
        self.alice.refresh_from_db()
        self.assertIs(self.alice.is_blocked, True)
        self.assertEqual(self.alice.block_reason, "<b>Chargebacks</b>")
        entry = AuditEntry.objects.get(action="block_user")
        self.assertEqual((entry.actor_label, entry.details["reason"]), ("web:sam", "<b>Chargebacks</b>"))

        self.act("unblock", [self.alice])

        self.alice.refresh_from_db()
        self.assertIs(self.alice.is_blocked, False)

    def test_it_refuses_to_block_the_owner_with_a_message(self) -> None:
        self.client.force_login(self.root)

        response = self.act("block", [self.owner, self.bob], apply="1", reason="Spam")

        self.assertContains(response, "@olga: The owner")
        self.assertContains(response, "Blocked 1 users.")
        self.owner.refresh_from_db()
        self.bob.refresh_from_db()
        self.assertIs(self.owner.is_blocked, False)
        self.assertIs(self.bob.is_blocked, True)

    def test_it_changes_a_role_after_asking_which(self) -> None:
        self.client.force_login(self.root)
        admin_role = Group.objects.get(name=ADMIN_ROLE)

        form = self.act("change_role", [self.alice])
        self.assertContains(form, 'name="role"')

        data = {
            "action": "change_role",
            "_selected_action": [self.alice.pk],
            "apply": "1",
            "role": admin_role.pk,
        }
        response = self.client.post(CHANGELIST, data, follow=True)

        self.assertContains(response, "Changed the role of 1 users.")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.role, admin_role)
        self.assertTrue(AuditEntry.objects.filter(action="assign_role").exists())

    def test_it_does_not_offer_roles_to_staff_without_manage_roles(self) -> None:
        self.client.force_login(self.sam)
        owner_role = Group.objects.get(name=OWNER_ROLE)
        data = {
            "action": "change_role",
            "_selected_action": [self.bob.pk],
            "apply": "1",
            "role": owner_role.pk,
        }

        response = self.client.post(CHANGELIST, data, follow=True)

        self.assertNotContains(response, "Change role…")
        self.bob.refresh_from_db()
        self.assertIsNone(self.bob.role)

    def test_it_refuses_actions_to_staff_without_the_permission(self) -> None:
        self.client.force_login(make_staff("vic", permissions=["accounts.view_customer"]))

        response = self.act("block", [self.alice], apply="1", reason="Spam")

        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Block selected users")
        self.alice.refresh_from_db()
        self.assertIs(self.alice.is_blocked, False)

    def test_it_refuses_the_page_to_staff_without_any_permission(self) -> None:
        self.client.force_login(make_staff("nobody"))

        self.assertEqual(self.client.get(CHANGELIST).status_code, 403)

    def test_it_offers_neither_adding_nor_deleting_users(self) -> None:
        self.client.force_login(self.root)

        self.assertEqual(self.client.get(reverse("admin:accounts_customer_add")).status_code, 403)
        delete = reverse("admin:accounts_customer_delete", args=[self.bob.pk])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)


class AnonymiseActionTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)
        cls.sam = make_staff("sam", roles=[ADMIN_ROLE])  # every shop permission but roles and anonymising

    def act(self, **fields: object):  # type: ignore[no-untyped-def]
        data = {
            "action": "anonymise",
            "_selected_action": [self.alice.pk, self.owner.pk],
            "index": "0",
            **fields,
        }
        return self.client.post(CHANGELIST, data, follow=True)

    def test_it_anonymises_after_confirming_and_spares_the_owner(self) -> None:
        self.client.force_login(self.root)
        form = self.act()
        self.assertContains(form, 'name="confirm"')
        self.assertEqual(Customer.objects.get(pk=self.alice.pk).username, "alice")

        response = self.act(apply="1", confirm="on")

        self.assertContains(response, "Anonymised 1 users.")
        self.assertContains(response, "The owner")
        alice = Customer.objects.get(pk=self.alice.pk)
        self.assertEqual((alice.username, alice.first_name, str(alice)), ("", "", f"deleted #{alice.pk}"))
        self.assertEqual(Customer.objects.get(pk=self.owner.pk).username, "olga")
        self.assertEqual(AuditEntry.objects.get(action="anonymise_customer").actor_label, "web:root")

    def test_it_refuses_staff_without_the_permission(self) -> None:
        self.client.force_login(self.sam)

        response = self.act(apply="1", confirm="on")

        self.assertNotContains(response, "Anonymise selected users")
        self.assertEqual(Customer.objects.get(pk=self.alice.pk).username, "alice")
