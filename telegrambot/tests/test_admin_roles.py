"""Roles in the admin menu: create, edit, delete, and no way to grant what one does not hold."""

from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group, Permission

from accounts import roles
from accounts.models import Customer
from accounts.roles import ADMIN_ROLE
from shopbot.test import make_customer
from telegrambot import callbacks
from telegrambot.tests.admin_support import AdminTestCase
from telegrambot.tests.helpers import change_customer


def codenames_of(name):
    return sorted(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


class RoleTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        manager = Group.objects.create(name="Role manager")
        manager.permissions.set(
            Permission.objects.filter(codename__in=["manage_roles", "manage_users", "view_audit"])
        )
        cls.rita = make_customer(3003, username="rita", role=manager)

    async def open_roles(self, customer):
        user = await self.chat(customer)
        await user.send("/admin")
        await user.press("🛡 Roles")
        return user

    async def test_it_lists_roles_with_their_permissions(self):
        olga = await self.open_roles(self.owner)
        self.assertIn("Stock keeper</b> (1): Stock", olga.screen.html)
        self.assertIn("Admin ⭐", olga.screen.labels)

    async def test_it_creates_a_role_by_toggling_permissions(self):
        olga = await self.open_roles(self.owner)
        await olga.press("➕ New role")
        await olga.send("x" * 65)
        self.assertIn("1 to 64", olga.screen.text)
        await olga.send("admin")
        self.assertIn("already exists", olga.screen.text)
        await olga.send("Support")
        await olga.press("▫️ Users")
        await olga.press("▫️ Audit log")
        await olga.press("▫️ Stock")
        await olga.press("✅ Stock")  # and off again
        await olga.press("💾 Save")
        self.assertIn("The role Support is saved", olga.screen.text)
        self.assertEqual(await sync_to_async(codenames_of)("Support"), ["manage_users", "view_audit"])

    async def test_it_refuses_toggling_a_permission_one_lacks(self):
        rita = await self.open_roles(self.rita)
        await rita.press("➕ New role")
        await rita.send("Helpers")
        self.assertIn("🔒 Balances", rita.screen.labels)
        await rita.press("🔒 Balances")
        self.assertIn("cannot grant", rita.alert)
        await rita.press_data(callbacks.ADMIN_ROLE_TOGGLE.build("manage_roles"))
        await rita.press_data(callbacks.ADMIN_ROLE_TOGGLE.build("superpowers"))  # no such permission
        self.assertIn("Unknown permission", rita.alert)
        await rita.press("💾 Save")
        self.assertEqual(await sync_to_async(codenames_of)("Helpers"), ["manage_roles"])
        self.assertEqual(await self.audits("escalation_refused", self.rita), 1)

    async def test_it_edits_and_deletes_a_custom_role(self):
        olga = await self.open_roles(self.owner)
        await olga.press("Stock keeper")
        await olga.press("✏️ Edit")
        await olga.press("▫️ Catalog")
        await olga.press("✏️ Rename")
        await olga.send("Shopkeeper")
        await olga.press("💾 Save")
        self.assertEqual(await sync_to_async(codenames_of)("Shopkeeper"), ["manage_catalog", "manage_stock"])

        await olga.press("🗑 Delete")
        self.assertIn("Its 1 holders become plain customers", olga.screen.text)
        await olga.press("🗑 Yes, delete")
        self.assertIn("1 users became plain customers", olga.screen.text)
        carl = await Customer.objects.aget(pk=self.carl.pk)
        self.assertIsNone(carl.role_id)
        self.assertFalse(await sync_to_async(roles.is_admin)(carl))

    async def test_it_refuses_changing_built_in_roles_and_roles_above_oneself(self):
        admin_role = await Group.objects.aget(name=ADMIN_ROLE)
        rita_role = await Group.objects.aget(name="Role manager")
        rita = await self.open_roles(self.rita)
        await rita.press("Admin ⭐")
        self.assertNotIn("✏️ Edit", rita.screen.labels)
        for data in (
            callbacks.ADMIN_ROLE_EDIT.build(admin_role.pk),
            callbacks.ADMIN_ROLE_DELETE_YES.build(admin_role.pk),
        ):
            await rita.press_data(data)
            self.assertIn("Built-in", rita.alert)
        big = await sync_to_async(self.role_with)("Big", ["manage_balances", "manage_roles"])
        for data in (
            callbacks.ADMIN_ROLE_EDIT.build(big.pk),
            callbacks.ADMIN_ROLE_DELETE_YES.build(big.pk),
            callbacks.ADMIN_ROLE_DELETE_YES.build(rita_role.pk),
        ):  # her own role
            await rita.press_data(data)
            self.assertIn("cannot grant", rita.alert)
        self.assertEqual(await self.audits("escalation_refused", self.rita), 3)
        self.assertEqual(await Group.objects.filter(name__in=["Admin", "Big", "Role manager"]).acount(), 3)

    async def test_it_refuses_admins_without_manage_roles(self):
        adam = await self.chat(self.admin)  # the Admin role holds everything but roles
        for data in (
            callbacks.ADMIN_ROLES.build(),
            callbacks.ADMIN_ROLE_ADD.build(),
            callbacks.ADMIN_ROLE_SAVE.build(),
            callbacks.ADMIN_ROLE_TOGGLE.build("manage_roles"),
            callbacks.ADMIN_ROLE_RENAME.build(),
            callbacks.ADMIN_ROLE_EDIT.build(1),
            callbacks.ADMIN_ROLE_DELETE_YES.build(1),
        ):
            await self.refused(adam, data, self.admin)

    async def test_it_refuses_a_draft_saved_after_manage_roles_is_taken_away(self):
        rita = await self.open_roles(self.rita)
        await rita.press("➕ New role")
        await rita.send("Late")
        await change_customer(self.rita.pk, role=None)
        await rita.press("💾 Save")
        self.assertIn("not allowed", rita.alert)
        self.assertFalse(await Group.objects.filter(name="Late").aexists())

    def role_with(self, name, codenames):
        group = Group.objects.create(name=name)
        group.permissions.set(Permission.objects.filter(codename__in=codenames))
        return group
