from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        # A top-up is fulfilled by payments itself: it never passes through another app.
        from payments.models import Payment
        from payments.services.crediting import TopUpFulfiller
        from payments.services.fulfilment import register_fulfiller

        register_fulfiller(Payment.Purpose.TOP_UP, TopUpFulfiller())

        # Anonymising a customer removes payments' own texts about them; accounts never imports payments.
        from accounts.hooks import scrubbers
        from payments.services import scrubbing

        scrubbers.register("payments", scrubbing.scrub_customer)
