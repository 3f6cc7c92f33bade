from django.contrib.auth.models import Group, User

from accounts import roles
from accounts.models import AuditEntry, Customer
from accounts.roles import ADMIN_ROLE, OWNER_ROLE
from accounts.services import assign_role, register_customer, save_role, set_blocked, set_language
from shopbot.errors import InvalidInput, OwnerProtected, PermissionDenied, RoleEscalation, RoleNotFound
from shopbot.test import OWNER_ID, ShopTestCase, make_customer


class RegisterCustomerTests(ShopTestCase):
    def test_it_registers_once_and_refreshes_names(self):
        first, created = register_customer(telegram_id=3001, username="dan", language_code="ru-RU")
        again, created_again = register_customer(telegram_id=3001, username="daniel", language_code="en")

        self.assertIs(created, True)
        self.assertIs(created_again, False)
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(again.username, "daniel")
        self.assertEqual(again.language, "ru")  # chosen once, not overwritten by Telegram later

    def test_it_takes_the_referrer_from_a_referral_code(self):
        customer, _ = register_customer(telegram_id=3002, start_payload=f"ref_{self.alice.referral_code}")

        self.assertEqual(customer.referrer, self.alice)

    def test_it_takes_the_referrer_from_the_seed_bots_numeric_payload(self):
        customer, _ = register_customer(telegram_id=3003, start_payload=str(self.alice.telegram_id))

        self.assertEqual(customer.referrer, self.alice)

    def test_it_ignores_garbage_unknown_and_own_referrals(self):
        payloads = [
            "",
            "ref_",
            "ref_<script>",
            "x" * 5000,
            "99999999",
            "3004",
            "ref_' OR 1=1 --",
            "-5",
            "1e9",
        ]
        for number, payload in enumerate(payloads):
            telegram_id = 3004 if payload == "3004" else 3100 + number
            customer, created = register_customer(telegram_id=telegram_id, start_payload=payload)
            self.assertIs(created, True)
            self.assertIsNone(customer.referrer)

    def test_it_never_changes_the_first_referrer(self):
        register_customer(telegram_id=3005, start_payload=f"ref_{self.alice.referral_code}")
        customer, _ = register_customer(telegram_id=3005, start_payload=f"ref_{self.bob.referral_code}")

        customer.refresh_from_db()
        self.assertEqual(customer.referrer, self.alice)

    def test_it_starts_a_new_customer_with_a_decimal_balance(self):
        customer, _ = register_customer(telegram_id=3008)

        self.assertEqual(str(customer.balance), "0.00")

    def test_it_cuts_overlong_names_from_telegram(self):
        customer, _ = register_customer(telegram_id=3006, first_name="A" * 500, username="u" * 100)

        self.assertEqual(len(customer.first_name), 64)
        self.assertEqual(len(customer.username), 32)

    def test_it_falls_back_to_the_shop_language(self):
        customer, _ = register_customer(telegram_id=3007, language_code="de")

        self.assertEqual(customer.language, "en")

    def test_it_refuses_an_unknown_language_choice(self):
        with self.assertRaises(InvalidInput):
            set_language(telegram_id=self.alice.telegram_id, language="xx")


class AssignRoleTests(ShopTestCase):
    def setUp(self):
        self.admin_role = Group.objects.get(name=ADMIN_ROLE)
        self.owner_role = Group.objects.get(name=OWNER_ROLE)

    def test_it_lets_the_owner_make_an_admin(self):
        assign_role(actor=self.owner, telegram_id=self.alice.telegram_id, role_id=self.admin_role.pk)

        self.alice.refresh_from_db()
        self.assertIs(roles.is_admin(self.alice), True)
        self.assertTrue(AuditEntry.objects.filter(action="assign_role", actor=self.owner).exists())

    def test_it_refuses_an_admin_without_manage_roles(self):
        with self.assertRaises(PermissionDenied):
            assign_role(actor=self.admin, telegram_id=self.alice.telegram_id, role_id=self.admin_role.pk)

        self.assertTrue(AuditEntry.objects.filter(action="permission_denied", actor=self.admin).exists())
        self.alice.refresh_from_db()
        self.assertIsNone(self.alice.role)

    def test_it_refuses_granting_a_role_above_ones_own(self):
        manager = save_role(actor=self.owner, name="Role manager", codenames=["manage_roles"])
        make_customer(4001, role=manager)
        carl = Customer.objects.get(telegram_id=4001)

        with self.assertRaises(RoleEscalation):
            assign_role(actor=carl, telegram_id=self.bob.telegram_id, role_id=self.admin_role.pk)
        with self.assertRaises(RoleEscalation):
            save_role(actor=carl, name="Sneaky", codenames=["manage_roles", "manage_balances"])
        with self.assertRaises(RoleEscalation):
            assign_role(actor=carl, telegram_id=self.admin.telegram_id, role_id=None)  # demote a better
        self.assertFalse(Group.objects.filter(name="Sneaky").exists())

    def test_it_refuses_raising_ones_own_role(self):
        manager = save_role(actor=self.owner, name="Role manager", codenames=["manage_roles"])
        carl = make_customer(4002, role=manager)

        with self.assertRaises(RoleEscalation):
            assign_role(actor=carl, telegram_id=carl.telegram_id, role_id=self.owner_role.pk)

    def test_it_protects_the_owner(self):
        with self.assertRaises(OwnerProtected):
            assign_role(actor=self.owner, telegram_id=OWNER_ID, role_id=None)
        with self.assertRaises(OwnerProtected):
            set_blocked(actor=self.admin, telegram_id=OWNER_ID, blocked=True, reason="Chargebacks")

    def test_it_refuses_an_unknown_role(self):
        with self.assertRaises(RoleNotFound):
            assign_role(actor=self.owner, telegram_id=self.alice.telegram_id, role_id=987654321)

    def test_it_refuses_changing_a_builtin_role(self):
        with self.assertRaises(InvalidInput):
            save_role(actor=self.owner, name="Admin", codenames=[], role_id=self.admin_role.pk)

    def test_it_refuses_unknown_permissions_and_bad_names(self):
        for name, codenames in [("", []), ("x" * 65, []), ("Fine", ["delete_everything"])]:
            with self.assertRaises(InvalidInput):
                save_role(actor=self.owner, name=name, codenames=codenames)

    def test_it_honours_web_staff_permissions(self):
        staff = User.objects.create_user("staffer", password="x", is_staff=True)
        with self.assertRaises(PermissionDenied):
            assign_role(actor=staff, telegram_id=self.alice.telegram_id, role_id=self.admin_role.pk)
        superuser = User.objects.create_superuser("root", password="x")

        assign_role(actor=superuser, telegram_id=self.alice.telegram_id, role_id=self.admin_role.pk)

        entry = AuditEntry.objects.get(action="assign_role")
        self.assertEqual(entry.actor_label, "web:root")


class SetBlockedTests(ShopTestCase):
    def test_it_blocks_and_unblocks_a_customer(self):
        set_blocked(actor=self.admin, telegram_id=self.alice.telegram_id, blocked=True, reason="Chargebacks")
        self.alice.refresh_from_db()
        self.assertIs(self.alice.is_blocked, True)

        set_blocked(actor=self.admin, telegram_id=self.alice.telegram_id, blocked=False)
        self.alice.refresh_from_db()
        self.assertIs(self.alice.is_blocked, False)

    def test_it_refuses_blocking_oneself_or_a_customer(self):
        with self.assertRaises(PermissionDenied):
            set_blocked(
                actor=self.admin, telegram_id=self.admin.telegram_id, blocked=True, reason="Chargebacks"
            )
        with self.assertRaises(PermissionDenied):
            set_blocked(
                actor=self.alice, telegram_id=self.bob.telegram_id, blocked=True, reason="Chargebacks"
            )

    def test_a_blocked_admin_loses_their_permissions(self):
        set_blocked(actor=self.owner, telegram_id=self.admin.telegram_id, blocked=True, reason="Chargebacks")
        self.admin.refresh_from_db()

        self.assertIs(roles.is_admin(self.admin), False)


class RoleChangesReachWebLoginsTests(ShopTestCase):
    """A role changed or deleted by any path: the bot forgets its cache and the web logins follow."""

    def setUp(self) -> None:
        from django.contrib.auth.models import Permission

        from accounts.services.web_users import staff_user_for

        self.Permission = Permission
        self.support = Group.objects.create(name="Support")
        self.support.permissions.set(Permission.objects.filter(codename__in=["manage_users", "view_audit"]))
        self.sue = make_customer(4001, username="sue", role=self.support)
        self.login = staff_user_for(self.sue)
        self.assertTrue(roles.has_permission(self.sue, "manage_users"))  # cached now

    def refreshed_login(self) -> User:
        return User.objects.get(pk=self.login.pk)

    def test_it_turns_off_the_logins_of_a_deleted_roles_holders(self) -> None:
        from accounts.services import delete_role

        with self.captureOnCommitCallbacks(execute=True):
            delete_role(actor=self.owner, role_id=self.support.pk)

        login = self.refreshed_login()
        self.assertFalse(login.is_staff or login.is_active)
        self.assertEqual(list(login.groups.all()), [])

    def test_it_turns_off_the_logins_when_a_role_loses_every_permission(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            save_role(actor=self.owner, name="Support", codenames=[], role_id=self.support.pk)

        self.assertFalse(self.refreshed_login().is_staff)

    def test_it_forgets_a_permission_removed_in_the_group_admin(self) -> None:
        from django.contrib import admin

        root = User.objects.create_superuser(username="root", password="secret-pass-123")
        self.client.force_login(root)
        keep = self.Permission.objects.get(codename="view_audit")
        url = f"/admin/auth/group/{self.support.pk}/change/"
        self.assertIn(Group, admin.site._registry)

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {"name": "Support", "permissions": [keep.pk]})

        self.assertEqual(response.status_code, 302)
        sue = Customer.objects.get(pk=self.sue.pk)
        self.assertFalse(roles.has_permission(sue, "manage_users"))
        self.assertTrue(roles.has_permission(sue, "view_audit"))

    def test_it_follows_a_change_made_in_a_shell(self) -> None:
        self.support.permissions.clear()

        sue = Customer.objects.get(pk=self.sue.pk)
        self.assertFalse(roles.is_admin(sue))
        self.assertFalse(self.refreshed_login().is_active)
