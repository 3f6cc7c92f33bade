"""Two bot workers claiming the staff notices at once, on PostgreSQL: each notice goes to one of them."""

import pytest

from accounts.models import StaffEvent, StaffNotice
from accounts.services.staff_notices import claim_staff_notices, notify_staff
from shopbot.test import OWNER_ID, is_postgresql, make_customer, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if not is_postgresql():
        pytest.skip("row locks are only real on PostgreSQL")


def test_two_claimers_never_hand_out_the_same_notice():
    make_customer(OWNER_ID)
    for number in range(40):
        notify_staff(event=StaffEvent.NEW_CLAIM, params={"claim": number})

    results = race(2, lambda: claim_staff_notices(limit=25))

    claimed = [notice.pk for inboxes in results for inbox in inboxes for notice in inbox.notices]
    assert len(claimed) == len(set(claimed)) == 40, results
    assert StaffNotice.objects.filter(claimed_until__isnull=True).count() == 0
