"""A previewed stock upload waits in one place, under one key scheme, for one lifetime (both faces)."""

from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from catalog.services.staged_uploads import (
    discard_staged_upload,
    read_staged_upload,
    stage_upload,
    staged_key,
)
from shopbot.test import ShopTestCase, make_staff


def seconds_left(key: str) -> int:
    # django-redis answers ttl(); the suite runs on Redis (see the test command).
    return cache.ttl(key)  # type: ignore[attr-defined]


class StagedUploadTests(ShopTestCase):
    def test_it_gives_the_lines_back_to_their_actor_for_their_product_only(self) -> None:
        stage_upload(actor=self.admin, product_id=self.key.pk, lines=["A-1", "A-2"])

        self.assertEqual(read_staged_upload(actor=self.admin, product_id=self.key.pk), ["A-1", "A-2"])
        self.assertIsNone(read_staged_upload(actor=self.owner, product_id=self.key.pk))
        self.assertIsNone(read_staged_upload(actor=self.admin, product_id=self.gift.pk))
        self.assertIsNone(read_staged_upload(actor=self.admin, product_id=self.key.pk, token="other"))

    def test_it_tells_a_web_staff_member_from_a_telegram_admin_with_the_same_number(self) -> None:
        staff = make_staff("sam")
        stage_upload(actor=staff, product_id=self.key.pk, lines=["WEB"])

        self.assertNotEqual(
            staged_key(actor=staff, product_id=self.key.pk),
            staged_key(actor=self.admin, product_id=self.key.pk),
        )
        self.assertIsNone(read_staged_upload(actor=self.admin, product_id=self.key.pk))

    def test_it_forgets_discarded_lines(self) -> None:
        stage_upload(actor=self.admin, product_id=self.key.pk, lines=["A-1"], token="t")
        discard_staged_upload(actor=self.admin, product_id=self.key.pk, token="t")

        self.assertIsNone(read_staged_upload(actor=self.admin, product_id=self.key.pk, token="t"))

    @override_settings(STOCK_UPLOAD_SECONDS=120)
    def test_it_keeps_the_web_admins_preview_for_the_one_lifetime(self) -> None:
        root = make_staff("root", superuser=True)
        self.client.force_login(root)
        url = reverse("admin:catalog_product_stock", args=[self.key.pk])

        preview = self.client.post(url, {"preview": "1", "values": "NEW-1"})

        key = staged_key(actor=root, product_id=self.key.pk, token=preview.context["token"])
        self.assertEqual(cache.get(key), ["NEW-1"])
        self.assertTrue(0 < seconds_left(key) <= 120)
