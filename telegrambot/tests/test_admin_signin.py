"""The one-time link from the bot to the web admin: used once, within 5 minutes, unaltered."""

import re
import time
from unittest import mock

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import Customer, SignInLink
from accounts.roles import ADMIN_ROLE
from accounts.services import assign_role, set_blocked
from accounts.services.signin import create_sign_in_link
from shopbot.test import ShopTestCase
from telegrambot.tests.admin_support import AdminTestCase

SESSION_KEY = "_auth_user_id"


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


class SignInFromTheBotTests(AdminTestCase):
    async def test_it_sends_a_link_that_signs_the_admin_in_once(self):
        adam = await self.chat(self.admin)
        await adam.send("/admin")
        await adam.press("🌐 Web admin link")
        self.assertIn("works once and for 5 minutes", adam.screen.text)
        url = re.search(r'href="([^"]+)"', adam.screen.html)[1]
        self.assertTrue(url.startswith("http://127.0.0.1:8000/accounts/sign-in/"))

        response = await sync_to_async(self.sign_in_twice)(path_of(url))
        self.assertEqual(response, [200, 302, 410, 410])
        user = await get_user_model().objects.aget(customer__pk=self.admin.pk)
        self.assertTrue(user.is_staff)
        self.assertFalse(user.is_superuser)
        self.assertEqual([group.name async for group in user.groups.all()], [ADMIN_ROLE])

    def sign_in_twice(self, path):
        client = Client()
        codes = [client.get(path).status_code]
        response = client.post(path)
        codes.append(response.status_code)
        self.assertEqual(response["Location"], "/admin/")
        self.assertIn(SESSION_KEY, client.session)
        other = Client()
        codes += [other.post(path).status_code, other.get(path).status_code]
        self.assertNotIn(SESSION_KEY, other.session)
        return codes


class SignInLinkTests(ShopTestCase):
    def link_path(self, customer=None):
        return path_of(create_sign_in_link(actor=customer or self.admin))

    def test_it_makes_the_owner_a_superuser(self):
        response = self.client.post(self.link_path(self.owner))
        self.assertEqual(response.status_code, 302)
        user = Customer.objects.get(pk=self.owner.pk).user
        self.assertTrue(user.is_superuser and user.is_staff)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_it_refuses_an_expired_link(self):
        with mock.patch("django.core.signing.time.time", return_value=time.time() - 301):
            path = self.link_path()
        for response in (self.client.get(path), self.client.post(path)):
            self.assertEqual(response.status_code, 410)
            self.assertContains(response, "expired", status_code=410)
        self.assertNotIn(SESSION_KEY, self.client.session)

    def test_it_refuses_a_link_expired_in_the_database(self):
        path = self.link_path()
        SignInLink.objects.update(expires=SignInLink.objects.get().created)
        self.assertEqual(self.client.post(path).status_code, 410)

    def test_it_refuses_a_tampered_link(self):
        path = self.link_path()
        token = path.rstrip("/").rsplit("/", 1)[1]
        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        other_link = token.replace(token.split(":")[0], token.split(":")[0][:-1] + "x")
        for bad in (forged, other_link, "garbage", "x" * 300):
            response = self.client.post(f"/accounts/sign-in/{bad}/")
            self.assertEqual(response.status_code, 400, bad)
            self.assertContains(response, "not valid", status_code=400)
        self.assertNotIn(SESSION_KEY, self.client.session)
        self.assertFalse(get_user_model().objects.filter(customer__isnull=False).exists())

    def test_it_refuses_an_admin_demoted_or_blocked_after_asking(self):
        path = self.link_path()
        assign_role(actor=self.owner, telegram_id=self.admin.telegram_id, role_id=None)
        self.assertEqual(self.client.post(path).status_code, 403)

        self.admin.role = Group.objects.get(name=ADMIN_ROLE)
        self.admin.save()
        path = self.link_path()
        set_blocked(actor=self.owner, telegram_id=self.admin.telegram_id, blocked=True, reason="Chargebacks")
        self.assertEqual(self.client.post(path).status_code, 403)

    def test_it_takes_web_access_away_with_the_role(self):
        self.client.post(self.link_path())
        self.assertEqual(self.client.get("/admin/").status_code, 200)

        assign_role(actor=self.owner, telegram_id=self.admin.telegram_id, role_id=None)
        user = Customer.objects.get(pk=self.admin.pk).user
        user.refresh_from_db()
        self.assertFalse(user.is_staff or user.is_active)
        self.assertEqual(list(user.groups.all()), [])
        self.assertEqual(self.client.get("/admin/").status_code, 302)  # back to the login page

    def test_it_never_takes_over_an_existing_login(self):
        get_user_model().objects.create_user(f"tg{self.admin.telegram_id}", password="x")
        self.client.post(self.link_path())
        user = Customer.objects.get(pk=self.admin.pk).user
        self.assertNotEqual(user.username, f"tg{self.admin.telegram_id}")
