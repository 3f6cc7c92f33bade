"""Roles, customers with their opening balances and referrers, referral rewards and the audit log."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Group

from accounts.models import AuditEntry, Customer
from accounts.roles import ADMIN_ROLE, BUILTIN_ROLES, OWNER_ROLE, shop_permissions
from catalog.importing.seed.state import SeedImport, as_money
from payments.models import LedgerEntry, ReferralReward
from payments.money import ZERO
from payments.services import change_balance

CHUNK = 500
OPENING_REASON = "Balance carried over from the previous shop"
# The seed's permission bits (roles.permissions) and the shop permissions each grants.
SEED_PERMISSION_BITS = {
    1: [],  # USE: basic access, which every customer has
    2: ["broadcast"],  # BROADCAST
    4: ["maintenance"],  # SETTINGS_MANAGE
    8: ["manage_users"],  # USERS_MANAGE
    16: ["manage_catalog", "manage_stock"],  # CATALOG_MANAGE
    32: ["manage_roles"],  # ADMINS_MANAGE
    64: [],  # OWN: the owner is OWNER_ID here, not a permission (see import_customers)
    128: ["view_statistics", "view_audit"],  # STATS_VIEW
    256: ["manage_balances"],  # BALANCE_MANAGE
    512: ["manage_promos"],  # PROMO_MANAGE
}
KNOWN_BITS = sum(SEED_PERMISSION_BITS)
OWN_BIT = 64
# The seed's built-in roles (by name) and the roles they are here; USER is no role, as for new customers.
BUILTIN_SEED_ROLES = {"USER": None, "ADMIN": ADMIN_ROLE, "OWNER": OWNER_ROLE}


def codenames_for(bits: int) -> list[str]:
    return sorted(
        {codename for bit, names in SEED_PERMISSION_BITS.items() if bits & bit for codename in names}
    )


def import_roles(state: SeedImport) -> None:
    report = state.report
    tally = report["roles"]
    permissions = {permission.codename: permission for permission in shop_permissions()}
    for row in state.read("roles", "roles"):
        name = (row["name"] or "").strip()
        bits = row["permissions"] or 0
        if name.upper() in BUILTIN_SEED_ROLES:
            builtin = BUILTIN_SEED_ROLES[name.upper()]
            state.roles[row["id"]] = Group.objects.get(name=builtin) if builtin else None
            tally.unchanged += 1
        elif not name:
            report.problem("roles", row["id"], "no name: its users get the default role")
            continue
        else:
            if name.casefold() in {builtin.casefold() for builtin in BUILTIN_ROLES}:
                report.problem(
                    "roles", name, f"renamed to “{name} (imported)”: a built-in role", skipped=False
                )
                name = f"{name} (imported)"
            if bits & ~KNOWN_BITS:
                report.problem(
                    "roles", name, f"unknown permission bits {bits & ~KNOWN_BITS}: not granted", skipped=False
                )
            if bits & OWN_BIT:
                report.problem(
                    "roles", name, "OWN (64) grants nothing here: the owner is OWNER_ID", skipped=False
                )
            group, created = Group.objects.get_or_create(name=name)
            wanted = {permissions[codename] for codename in codenames_for(bits)}
            changed = set(group.permissions.all()) != wanted
            group.permissions.set(wanted)
            tally.added += created
            tally.updated += changed and not created
            tally.unchanged += not (changed or created)
            state.roles[row["id"]] = group
        if row["default"]:
            state.default_role = state.roles[row["id"]]


def import_customers(state: SeedImport) -> None:
    """Create or update a customer per seed user, then their referrers, then their opening balances."""
    report = state.report
    tally = report["customers"]
    rows = state.read("customers", "users")
    telegram_ids = [row["telegram_id"] for row in rows]
    existing = {}
    for start in range(0, len(telegram_ids), CHUNK):
        found = Customer.objects.filter(telegram_id__in=telegram_ids[start : start + CHUNK])
        existing.update((customer.telegram_id, customer) for customer in found)
    new = []
    for row in rows:
        telegram_id = row["telegram_id"]
        role = state.roles.get(row["role_id"], state.default_role) if row["role_id"] else state.default_role
        if row["role_id"] and row["role_id"] not in state.roles:
            report.problem(
                "customers", telegram_id, f"role {row['role_id']} not imported: default role", skipped=False
            )
        if telegram_id == state.owner_id:
            role = Group.objects.get(name=OWNER_ROLE)
        blocked = bool(row["is_blocked"])
        if blocked and telegram_id == state.owner_id:
            report.problem(
                "customers", telegram_id, "the owner cannot be blocked: imported unblocked", skipped=False
            )
            blocked = False
        values = {"role": role, "is_blocked": blocked}
        customer = existing.get(telegram_id)
        if customer is None:
            new.append(Customer(telegram_id=telegram_id, created=row["registration_date"], **values))
            continue
        changed = [name for name, value in values.items() if getattr(customer, name) != value]
        for name in changed:
            setattr(customer, name, values[name])
        if changed:
            customer.save(update_fields=changed)
            tally.updated += 1
        else:
            tally.unchanged += 1
    Customer.objects.bulk_create(new, batch_size=500)
    tally.added += len(new)
    state.customers = {**existing, **{customer.telegram_id: customer for customer in new}}
    if state.owner_id and state.owner_id not in state.customers:
        report.problem(
            "customers", state.owner_id, "the owner (--owner) is not among the seed's users", skipped=False
        )
    link_referrers(state, rows)
    carry_balances(state, rows)


def link_referrers(state: SeedImport, rows: list[dict]) -> None:
    changed = []
    for row in rows:
        customer = state.customers[row["telegram_id"]]
        referrer = state.customers.get(row["referral_id"]) if row["referral_id"] else None
        if row["referral_id"] and referrer is None:
            state.report.problem(
                "customers",
                row["telegram_id"],
                f"referrer {row['referral_id']} not found: none",
                skipped=False,
            )
        if referrer is not None and referrer.pk != customer.pk and customer.referrer_id is None:
            customer.referrer = referrer
            changed.append(customer)
    Customer.objects.bulk_update(changed, ["referrer"], batch_size=500)


def carry_balances(state: SeedImport, rows: list[dict]) -> None:
    """Give each customer their seed balance as one opening-balance ledger row, once ever."""
    report = state.report
    tally = report["opening balances"]
    # Opening rows come only from this import: all of them are few next to the ledger.
    carried = dict(
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.OPENING_BALANCE).values_list(
            "customer__telegram_id", "amount"
        )
    )
    for row in rows:
        raw = row["balance"]
        finite = raw if isinstance(raw, Decimal) and raw.is_finite() else ZERO
        report.balances_seed += finite
        amount = as_money(raw)
        if amount is None or amount < ZERO:
            report.problem("opening balances", row["telegram_id"], f"balance {raw} refused: starts at 0.00")
            report.balances_refused += finite
            continue
        if amount == ZERO:
            continue
        tally.read += 1
        if row["telegram_id"] in carried:
            tally.unchanged += 1
            if carried[row["telegram_id"]] != amount:
                before = carried[row["telegram_id"]]
                report.problem(
                    "opening balances",
                    row["telegram_id"],
                    f"now {amount}, {before} carried over before: kept",
                    skipped=False,
                )
            continue
        # Lock as every balance change does; a customer created a moment ago is ours alone anyway.
        customer = Customer.objects.select_for_update().get(pk=state.customers[row["telegram_id"]].pk)
        change_balance(
            customer=customer, amount=amount, kind=LedgerEntry.Kind.OPENING_BALANCE, reason=OPENING_REASON
        )
        tally.added += 1
        carried[row["telegram_id"]] = amount
    report.balances_carried = sum((carried.get(row["telegram_id"], ZERO) for row in rows), ZERO)


def import_referral_rewards(state: SeedImport) -> None:
    """Keep what referrers earned in the seed; paid there, so no ledger row and no payment here."""
    tally = state.report["referral rewards"]
    existing = set(
        ReferralReward.objects.filter(payment__isnull=True).values_list(
            "referrer__telegram_id", "referee__telegram_id", "amount", "created"
        )
    )
    new = []
    for row in state.read("referral rewards", "referral_earnings"):
        referrer, referee = state.customers.get(row["referrer_id"]), state.customers.get(row["referral_id"])
        amount = as_money(row["amount"])
        if referrer is None or referee is None:
            state.report.problem("referral rewards", row["id"], "referrer or referee not imported")
        elif amount is None or amount <= ZERO:
            state.report.problem("referral rewards", row["id"], f"amount {row['amount']} refused")
        elif (row["referrer_id"], row["referral_id"], amount, row["created_at"]) in existing:
            tally.unchanged += 1
        else:
            new.append(
                ReferralReward(referrer=referrer, referee=referee, amount=amount, created=row["created_at"])
            )
    ReferralReward.objects.bulk_create(new, batch_size=500)
    tally.added += len(new)


def import_audit(state: SeedImport) -> None:
    """Keep the seed's audit log as entries marked imported, each once."""
    tally = state.report["audit entries"]
    existing = set(
        AuditEntry.objects.filter(details__imported_from="seed").values_list("details__seed_id", flat=True)
    )
    new = []
    for row in state.read("audit entries", "audit_log"):
        if row["id"] in existing:
            tally.unchanged += 1
            continue
        target = " ".join(part for part in (row["resource_type"], row["resource_id"]) if part)
        details = {"imported_from": "seed", "seed_id": row["id"], "level": row["level"]}
        details |= {key: row[key] for key in ("details", "ip_address") if row[key]}
        new.append(
            AuditEntry(
                actor=state.customers.get(row["user_id"]),
                actor_label=str(row["user_id"] or "previous shop")[:100],
                action=row["action"][:64],
                target=target[:200],
                details=details,
                created=row["timestamp"],
            )
        )
    AuditEntry.objects.bulk_create(new, batch_size=500)
    tally.added += len(new)
