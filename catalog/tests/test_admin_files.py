"""The web admin's stock page for file products, the waitlist column, and the waitlist released from it."""

import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from catalog.models import DeliveryFile, Product, StockUnit, WaitlistEntry
from catalog.services.delivery_files import FILE_MAX_BYTES
from shopbot.test import ShopTestCase, make_product, make_staff

Kind = Product.DeliveryKind


class FileUploadAdminTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)

    def setUp(self) -> None:
        self.client.force_login(self.root)
        self.enterContext(override_settings(MEDIA_ROOT=self.enterContext(tempfile.TemporaryDirectory())))
        self.ebook = make_product(self.games, "E-book", "3.00", delivery=Kind.FILE)
        self.url = reverse("admin:catalog_product_stock", args=[self.ebook.pk])

    def test_it_stores_each_uploaded_file_as_a_unit_and_releases_the_waitlist(self) -> None:
        WaitlistEntry.objects.create(customer=self.alice, product=self.ebook)
        files = [SimpleUploadedFile("a.pdf", b"%PDF-a"), SimpleUploadedFile("b.pdf", b"%PDF-b")]

        response = self.client.post(self.url, {"documents": files}, follow=True)

        self.assertContains(response, "Added 2 files to stock.")
        units = StockUnit.objects.filter(product=self.ebook).select_related("file").order_by("id")
        self.assertEqual(
            [(u.value, u.file.upload.read(), u.file.file_id) for u in units],
            [
                ("a.pdf", b"%PDF-a", ""),
                ("b.pdf", b"%PDF-b", ""),
            ],
        )
        self.assertIsNotNone(WaitlistEntry.objects.get().restocked_at)

    def test_it_refuses_a_file_over_50_mb_and_stores_nothing(self) -> None:
        big = SimpleUploadedFile("big.iso", b"\0" * (FILE_MAX_BYTES + 1))

        response = self.client.post(self.url, {"documents": [big]}, follow=True)

        self.assertContains(response, "larger than 50 MB")
        self.assertEqual(
            (DeliveryFile.objects.count(), StockUnit.objects.filter(product=self.ebook).count()), (0, 0)
        )

    def test_it_sets_the_shared_file_of_a_shared_file_product(self) -> None:
        config = make_product(self.games, "Config", "2.00", is_unlimited=True, delivery=Kind.SHARED_FILE)
        url = reverse("admin:catalog_product_stock", args=[config.pk])
        self.assertContains(self.client.get(url), 'name="documents"')

        response = self.client.post(
            url, {"documents": [SimpleUploadedFile("vpn.conf", b"conf")]}, follow=True
        )

        self.assertContains(response, "Every buyer now receives vpn.conf.")
        config.refresh_from_db()
        self.assertEqual((config.unlimited_value, config.shared_file.name), ("vpn.conf", "vpn.conf"))

    def test_an_empty_post_is_refused(self) -> None:
        response = self.client.post(self.url, {}, follow=True)

        self.assertContains(response, "Choose a file to upload.")
        self.assertEqual(DeliveryFile.objects.count(), 0)


class WaitlistAdminTests(ShopTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root = make_staff("root", superuser=True)

    def setUp(self) -> None:
        self.client.force_login(self.root)

    def test_the_product_list_shows_how_many_wait_and_a_text_upload_releases_them(self) -> None:
        StockUnit.objects.filter(product=self.key).delete()
        WaitlistEntry.objects.create(customer=self.alice, product=self.key)
        WaitlistEntry.objects.create(customer=self.bob, product=self.key)

        changelist = self.client.get(reverse("admin:catalog_product_changelist"))
        self.assertContains(changelist, '<td class="field-waiting">2</td>', html=True)

        url = reverse("admin:catalog_product_stock", args=[self.key.pk])
        preview = self.client.post(url, {"preview": "1", "values": "NEW-1"})
        self.client.post(url, {"add": "1", "token": preview.context["token"]})

        self.assertEqual(WaitlistEntry.objects.filter(restocked_at__isnull=False).count(), 2)
        changelist = self.client.get(reverse("admin:catalog_product_changelist"))
        self.assertContains(changelist, '<td class="field-waiting">0</td>', html=True)
