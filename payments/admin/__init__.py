"""The payments' pages of the Django admin; importing the modules registers them."""

from payments.admin import payments  # noqa: F401 - registers the ledger, payment and reward admins
