"""The report of `make bench`: every figure next to the floor (as a ratio) and next to the same page on the
small data set (growth), the load, the workers' memory, and issue 14's targets with PASS or MISS and by
how much. Written to docs/performance.md and printed. A block between `<!-- notes -->` and
`<!-- /notes -->` in the existing file (the analysis written by hand) is kept."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from benchmarks.measure import Load, Timing

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024

# Issue 14's targets.
FLOOR_RATIO = 3.0  # key pages: median <= 3 x the floor (one client, full size)
PAGE_P95 = 0.150  # key pages: p95 <= 150 ms (one client, full size)
GROWTH = 1.5  # page time at full size <= 1.5 x at the small size
LOAD_P95 = 0.500  # under load: p95 <= 500 ms
SCREENING_PDF = 1.0  # the screening PDF <= 1 s (p95, one client)
WORKER_MEMORY = 250 * MB  # each worker after the run
SHOWN = 8  # misses named per target in the summary (worst first)


@dataclass
class Phase:
    cases: int
    timings: dict[str, Timing]
    load: Optional[Load] = None  # users who pause between pages (the target's load)
    saturation: Optional[Load] = None  # the same users without pause: the most the app serves
    worker_rss: list[int] = field(default_factory=list)


@dataclass
class Run:
    command: str
    phases: list[Phase]  # small first, full size last
    facts: dict[str, str]  # data set, generation times, chain check ... (label -> text)
    commit: str = ""  # the code measured (taken when the run starts)
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass
class Check:
    target: str
    subject: str
    value: float
    limit: float
    unit: str

    @property
    def ok(self) -> bool:
        return self.value <= self.limit

    def text(self) -> str:
        by = (self.value / self.limit - 1) * 100 if self.limit else 0
        verdict = "PASS" if self.ok else f"MISS by {by:.0f} %"
        return f"{verdict}: {self.subject} {_fmt(self.value, self.unit)} (target ≤ {_fmt(self.limit, self.unit)})"


def _fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value * 1000:.0f} ms"
    if unit == "MB":
        return f"{value / MB:.0f} MB"
    return f"{value:.2f} ×"


def _ms(seconds: Optional[float]) -> str:
    return "" if seconds is None else f"{seconds * 1000:,.1f}" if seconds < 0.1 else f"{seconds * 1000:,.0f}"


def growth(timing: Timing, before: Timing) -> float:
    """How much slower the page got from the small data set to the full one. Against the floor at each
    size when both have it (the floor's one query does not grow with the data): the machine's load,
    which changes between the two measurements minutes apart, then drops out."""
    if timing.floor_median and before.floor_median:
        return (timing.median / timing.floor_median) / (before.median / before.floor_median)
    return timing.median / before.median


def checks(run: Run) -> list[Check]:
    full, small = run.phases[-1], run.phases[0] if len(run.phases) > 1 else None
    found = []
    for timing in full.timings.values():
        if timing.kind == "page":
            if timing.floor_median:
                found.append(Check("median ≤ 3 × floor", timing.label, timing.median / timing.floor_median,
                                   FLOOR_RATIO, "×"))
            found.append(Check("p95 ≤ 150 ms", timing.label, timing.p95, PAGE_P95, "ms"))
            before = small.timings.get(timing.label) if small else None
            if before:
                found.append(Check("growth ≤ 1.5 ×", timing.label, growth(timing, before), GROWTH, "×"))
        if timing.label.startswith("screening PDF"):
            found.append(Check("screening PDF ≤ 1 s", timing.label, timing.p95, SCREENING_PDF, "ms"))
    if full.load:
        found.append(Check("load p95 ≤ 500 ms", f"all pages, {full.load.describe()}", full.load.p95, LOAD_P95, "ms"))
        found += [Check("load p95 ≤ 500 ms", label, p95, LOAD_P95, "ms") for label, p95 in full.load.per_page.items()]
    if full.saturation:
        found.append(Check("load p95 ≤ 500 ms", f"all pages, {full.saturation.describe()}", full.saturation.p95,
                           LOAD_P95, "ms"))
    found += [Check("worker memory ≤ 250 MB", f"worker {n + 1}", rss, WORKER_MEMORY, "MB")
              for n, rss in enumerate(full.worker_rss)]
    return found


def table(run: Run) -> list[str]:
    full, small = run.phases[-1], run.phases[0] if len(run.phases) > 1 else None
    small_head = f"{small.cases:,}: median" if small else "small: median"
    lines = [f"| page or export | {small_head} | {full.cases:,}: median | p95 | × floor | growth | "
             f"load p95 | size |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for timing in full.timings.values():
        before = small.timings.get(timing.label) if small else None
        ratio = f"{timing.median / timing.floor_median:.1f}" if timing.floor_median else ""
        grown = f"{growth(timing, before):.2f}" if before else ""
        under_load = full.load.per_page.get(timing.label) if full.load else None
        status = "" if timing.status == 200 else f" (answered {timing.status})"
        if full.load and full.load.failed.get(timing.label):
            status += f" ({full.load.failed[timing.label]} failed under load)"
        lines.append(f"| {timing.label}{status} | {_ms(before.median) if before else ''} | {_ms(timing.median)} | "
                     f"{_ms(timing.p95)} | {ratio} | {grown} | {_ms(under_load)} | {timing.size / 1024:,.0f} kB |")
    return lines


def summary(run: Run) -> list[str]:
    found = checks(run)
    lines = []
    for target in dict.fromkeys(check.target for check in found):
        mine = [check for check in found if check.target == target]
        missed = sorted((check for check in mine if not check.ok), key=lambda c: c.limit - c.value)
        shown = "; ".join(f"{c.subject} {_fmt(c.value, c.unit)} (+{(c.value / c.limit - 1) * 100:.0f} %)"
                          for c in missed[:SHOWN])
        more = f"; and {len(missed) - SHOWN} more (the table)" if len(missed) > SHOWN else ""
        lines.append(f"- **{target}**: {len(mine) - len(missed)} of {len(mine)} PASS"
                     + (f"; MISS, worst first: {shown}{more}" if missed else ""))
    return lines


def machine() -> str:
    cpu = "unknown CPU"
    try:
        info = Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"model name\s*:\s*(.+)", info).group(1).strip()
    except (OSError, AttributeError):
        pass
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, AttributeError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}, Python {platform.python_version()}"


def commit() -> str:
    if os.environ.get("GIT_COMMIT"):  # a run from an exported tree (git archive) names its commit
        return os.environ["GIT_COMMIT"]
    try:
        found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return found + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def render(run: Run, notes: str = "") -> str:
    full = run.phases[-1]
    lines = ["# Performance at national scale (`make bench`)", "",
             "Generated by `benchmarks/run.py`; the figures below are from the run named here. "
             "Issue 14's targets and the known causes of misses are at the end.", "",
             f"- **Date**: {run.started:%Y-%m-%d %H:%M} UTC",
             f"- **Commit**: {run.commit or commit()}",
             f"- **Machine**: {machine()}",
             f"- **Command**: `{run.command}`"]
    lines += [f"- **{label}**: {value}" for label, value in run.facts.items()]
    lines += ["", "## Pages and exports, one client", "",
              "Time from sending the request to the last byte of the answer, over loopback, one request at a time "
              "(after one warm-up), in ms. *× floor*: the median against the median of the floor page, asked as the "
              "same user between this page's requests; *growth*: the page's × floor at the full size against its "
              "× floor on the small data set (the machine's load, which changes between the two, drops out; the "
              "medians themselves are in the first two columns); "
              "*load p95*: the same page's p95 under the concurrent load.", ""]
    lines += table(run)
    loads = [load for load in (full.load, full.saturation) if load]
    if loads:
        lines += ["", "## Under load", "",
                  "Users are threads, each with its own signed-in session, asking the pages of the table (not the "
                  "exports) one after another for a fixed time; only the requests are timed. The table's *load p95* "
                  "is from the first load.", ""]
        lines += [f"- {load.describe()}, {load.seconds:.0f} s: **{load.requests:,} requests, "
                  f"{load.throughput:.1f} requests/s, median {_ms(load.median)} ms, p95 {_ms(load.p95)} ms**, "
                  f"{load.errors} not answered 200." for load in loads]
    if full.worker_rss:
        lines += ["", "## Worker memory after the run", "",
                  "Resident memory of each gunicorn worker (VmRSS): "
                  + ", ".join(f"{rss / MB:.0f} MB" for rss in full.worker_rss) + "."]
    lines += ["", "## Targets (issue 14)", ""] + summary(run)
    if notes:
        lines += ["", "<!-- notes -->", notes.strip(), "<!-- /notes -->"]
    return "\n".join(lines) + "\n"


def kept_notes(path: Path) -> str:
    if not path.exists():
        return ""
    found = re.search(r"<!-- notes -->\n(.*?)<!-- /notes -->", path.read_text(), re.S)
    return found.group(1) if found else ""


def write(run: Run, path: Path) -> str:
    text = render(run, kept_notes(path))
    path.write_text(text)
    return text
