"""What an import from the seed bot read, imported and skipped, and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from payments.money import ZERO

# The kinds in the order the import takes them, named for the operator.
KINDS = [
    "roles",
    "customers",
    "opening balances",
    "categories",
    "products",
    "stock units",
    "purchases",
    "payments",
    "balance operations",
    "referral rewards",
    "promo codes",
    "promo code uses",
    "reviews",
    "cart lines",
    "audit entries",
]
# A report lists this many rows it could not take; the counts cover every one.
MAX_PROBLEMS = 200


@dataclass
class KindTally:
    """Rows of one kind: read from the seed, added, updated, already present, skipped (by reason)."""

    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def __str__(self) -> str:
        text = f"{self.read} read, {self.added} imported"
        if self.updated:
            text += f", {self.updated} updated"
        if self.unchanged:
            text += f", {self.unchanged} already present"
        skipped = sum(self.skipped.values())
        text += f", {skipped} skipped"
        if skipped:
            text += (
                " (" + "; ".join(f"{count} {reason}" for reason, count in sorted(self.skipped.items())) + ")"
            )
        return text


@dataclass
class SeedReport:
    """The report of one import (or dry run) from the seed bot's database."""

    dry_run: bool = False
    merge: bool = False
    kinds: dict[str, KindTally] = field(default_factory=lambda: {kind: KindTally() for kind in KINDS})
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    balances_seed: Decimal = ZERO  # every users.balance in the seed
    balances_refused: Decimal = ZERO  # balances the import could not take (listed in problems)
    balances_carried: Decimal = ZERO  # the opening balances now in the shop's ledger for these customers
    other_tables: list[str] = field(default_factory=list)

    def __getitem__(self, kind: str) -> KindTally:
        return self.kinds[kind]

    def problem(self, kind: str, row: object, reason: str, *, skipped: bool = True) -> None:
        """Note a row the import could not take as it is; ``skipped`` counts it as not imported."""
        if skipped:
            self.kinds[kind].skipped[reason.split(":")[0]] += 1
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{kind} {row}: {reason}")

    @property
    def balances_equal(self) -> bool:
        return self.balances_seed - self.balances_refused == self.balances_carried

    def counts(self) -> dict[str, Any]:
        """Return the numbers alone, for the audit log."""
        return {
            kind: {"read": t.read, "added": t.added, "updated": t.updated, "skipped": sum(t.skipped.values())}
            for kind, t in self.kinds.items()
        } | {"balances_seed": str(self.balances_seed), "balances_carried": str(self.balances_carried)}

    def lines(self) -> list[str]:
        """Return the report as lines for the operator."""
        lines = [f"{kind.capitalize()}: {tally}" for kind, tally in self.kinds.items()]
        lines.append(
            f"Balances: {self.balances_seed} in the seed, {self.balances_refused} refused, "
            f"{self.balances_carried} carried over: " + ("equal." if self.balances_equal else "NOT EQUAL.")
        )
        if self.other_tables:
            lines.append("Left alone (not read): " + ", ".join(self.other_tables))
        if self.problem_count:
            lines.append(f"Rows not taken as they are ({self.problem_count}):")
            lines.extend(f"  {problem}" for problem in self.problems)
            if self.problem_count > len(self.problems):
                lines.append(f"  … and {self.problem_count - len(self.problems)} more")
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines
