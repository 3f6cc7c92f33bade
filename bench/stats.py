"""Figures from repeated runs: median and spread, percentiles, tables, and the results file."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the value below which ``fraction`` of ``values`` fall (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class Figure:
    """One measured quantity over several runs."""

    name: str
    unit: str
    runs: list[float] = field(default_factory=list)
    target: str = ""

    def add(self, value: float) -> None:
        self.runs.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    @property
    def spread(self) -> float:
        """Half the range between the smallest and the largest run, relative to the median."""
        if len(self.runs) < 2 or not self.median:
            return 0.0
        return (max(self.runs) - min(self.runs)) / 2 / abs(self.median)

    def row(self) -> list[str]:
        return [
            self.name,
            fmt(self.median),
            f"±{self.spread:.0%}",
            self.unit,
            str(len(self.runs)),
            self.target,
        ]


def fmt(value: float) -> str:
    if value != value:  # NaN
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Return a Markdown table (it reads as well in a terminal as in RESULTS.md)."""
    cells = [[str(cell) for cell in headers], *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def figures_table(figures: Sequence[Figure]) -> str:
    return table(
        ["figure", "median", "spread", "unit", "runs", "target"], [figure.row() for figure in figures]
    )


def machine() -> str:
    """The machine, as the results file names it: cores, memory, Python."""
    memory_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    load = os.getloadavg()[0]
    return (
        f"nproc {os.cpu_count()}, memory {memory_kb / 1024 / 1024:.1f} GiB, "
        f"Python {platform.python_version()}, load average {load:.1f} at start"
    )


class Report:
    """Sections of tables, printed as they come and appended to RESULTS.md at the end."""

    def __init__(self, title: str) -> None:
        self.started = datetime.now(UTC)
        self.title = title
        self.machine = machine()
        self.sections: list[str] = []

    def add(self, heading: str, body: str, note: str = "") -> None:
        text = f"### {heading}\n\n{body}\n" + (f"\n{note}\n" if note else "")
        self.sections.append(text)
        print("\n" + text, flush=True)

    def write(self) -> None:
        header = f"## {self.started:%Y-%m-%d %H:%M} UTC · {self.title}\n\n{self.machine}\n"
        existing = (
            RESULTS.read_text()
            if RESULTS.exists()
            else "# Benchmark results\n\nAppended by `make bench`, newest last.\n"
        )
        RESULTS.write_text(existing.rstrip("\n") + "\n\n" + header + "\n" + "\n".join(self.sections))
        print(f"\nAppended to {RESULTS.name}.", flush=True)
