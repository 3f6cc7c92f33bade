"""/metrics: Prometheus text, open or behind a bearer token."""

from django.test import override_settings

from shopbot.test import ShopTestCase


class MetricsEndpointTests(ShopTestCase):
    def test_it_serves_the_shop_metrics_without_a_session(self) -> None:
        response = self.client.get("/metrics")

        self.assertEqual(response.status_code, 200)
        self.assertIn(b"shopbot_purchases_total", response.content)
        self.assertIn(b"django_http_requests", response.content)

    @override_settings(METRICS_TOKEN="s3cret-token")
    def test_it_refuses_a_scrape_without_the_token(self) -> None:
        response = self.client.get("/metrics")

        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="metrics"')
        self.assertNotIn(b"shopbot_", response.content)

    @override_settings(METRICS_TOKEN="s3cret-token")
    def test_it_refuses_a_wrong_token(self) -> None:
        response = self.client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong")

        self.assertEqual(response.status_code, 401)

    @override_settings(METRICS_TOKEN="s3cret-token")
    def test_it_serves_a_scrape_with_the_token(self) -> None:
        response = self.client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")

        self.assertEqual(response.status_code, 200)
        self.assertIn(b"shopbot_purchases_total", response.content)

    @override_settings(METRICS_TOKEN="s3cret-token", ALLOWED_HOSTS=["shop.example.com"])
    def test_it_serves_prometheus_inside_the_network(self) -> None:
        response = self.client.get("/metrics", HTTP_HOST="web:8000", HTTP_AUTHORIZATION="Bearer s3cret-token")

        self.assertEqual(response.status_code, 200)
