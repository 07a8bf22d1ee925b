"""Benchmark: printing prefilled score sheets (make bench-forms).

Imports a synthetic roster of N households (default 2,000) into a fresh SQLite database and prints
one prefilled score sheet per household with the real printer (process pool, both cores). Prints
pages per second, peak memory and the projected time for 10,000 sheets (target: ≤ 60 s), and the
same figures for the baseline measured in this run: drawing every page in full instead of stamping
the static part.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import openpyxl

from service import units
from service.campaign.defaults import CampaignRules
from service.campaign.years import create_year
from service.concurrency import PoolExecutor
from service.db.models import UnitLevel
from service.db.session import make_engine, session_scope, upgrade
from service.forms.layouts import build_layout
from service.forms.printing import FormPrinter, PrintRequest
from service.forms.render_pdf import FormPdf, SheetPrint
from service.roster.importer import RosterImporter

TARGET_SHEETS = 10_000
TARGET_SECONDS = 60.0


def synthetic_roster(path: Path, households: int, villages: int) -> None:
    """Write a roster of ``households`` households spread over ``villages`` villages of one township."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "乡镇（街道）",
            "村（社区）",
            "村民小组",
            "户主姓名",
            "出生年月",
            "家庭人数",
            "家庭住址",
            "联系电话",
            "家庭成员",
        ]
    )
    surnames = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
    given = "秀英桂兰建华国强志明春梅海燕晓东玉珍德胜丽娟子豪欣怡堃喆昇珺"
    for i in range(households):
        n = len(given)
        name = surnames[(i // (n * n)) % len(surnames)] + given[(i // n) % n] + given[i % n]
        village = f"试点{i % villages + 1}村"
        sheet.append(
            [
                "基准镇",
                village,
                f"第{'一二三四'[i % 4]}村民小组",
                name,
                f"{1950 + i % 50}.{1 + i % 12:02d}",
                4,
                f"基准镇{village}{i % 400 + 1}号",
                f"139{i:08d}",
                f"{surnames[(i + 3) % 20]}{given[i % len(given)]}（妻，{40 + i % 30}岁，务农）；{name[0]}小{given[(i + 5) % len(given)]}（子，{10 + i % 20}岁，基准中学）",
            ]
        )
    book.save(path)


def peak_mb() -> float:
    """Return the peak resident memory of this process and its finished children, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def baseline(households: int, out: Path) -> float:
    """Draw every page in full, in one process: the naive way (pages per second)."""
    layout = build_layout("score", CampaignRules.defaults(2026, "基准区"), 2026)
    sheets = [
        SheetPrint(
            f"2026S{i:06d}",
            f"000000001001-{i:04d}",
            {"head_name": "王堃", "address": "基准镇试点1村1号", "sheet_info": f"编号 2026S{i:06d}"},
        )
        for i in range(1, households + 1)
    ]
    started = time.perf_counter()
    gc.disable()  # as the real printer does, so the ratio measures stamping alone
    try:
        pdf = FormPdf(layout, out / "baseline.pdf", b"k" * 48, fillable=True, stamp_static=False)
        for sheet in sheets:
            pdf.add_sheet(sheet)
        pdf.close()
    finally:
        gc.enable()
    return households / (time.perf_counter() - started)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--villages", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline-sheets", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pingan-bench-forms-"))
    try:
        roster = work / "roster.xlsx"
        synthetic_roster(roster, args.households, args.villages)
        engine = make_engine(f"sqlite:///{work / 'bench.db'}")
        upgrade(engine)
        with session_scope(engine) as session:
            units.ensure_district(session, "基准区", "000000", "bench")
            create_year(session, 2026, "bench")
            RosterImporter(session, "bench").run(roster, max_bytes=10**9, max_rows=10**7)
        with session_scope(engine) as session:
            township = units.find_unit(session, "基准镇", UnitLevel.township)
            printer = FormPrinter(session, b"k" * 48, "bench", PoolExecutor(args.workers))
            started = time.perf_counter()
            report = printer.run(PrintRequest(kind="score", year=2026, unit=township, out=work / "out"))
            seconds = time.perf_counter() - started
        engine.dispose()
        rate = report.pages / seconds
        size = sum(f.path.stat().st_size for f in report.files) / report.sheets / 1024
        naive = baseline(args.baseline_sheets, work)
        print(
            f"prefilled score sheets: {report.sheets} sheets, {report.pages} pages in {len(report.files)} files, {seconds:.1f} s"
        )
        print(
            f"  {rate:.0f} pages/s with {args.workers} worker processes (static part stamped as a form XObject)"
        )
        print(
            f"  projected 10,000 sheets: {TARGET_SHEETS / rate:.1f} s (target ≤ {TARGET_SECONDS:.0f} s: {'met' if TARGET_SHEETS / rate <= TARGET_SECONDS else 'NOT met'})"
        )
        print(f"  peak memory: {peak_mb():.0f} MB (largest process); {size:.0f} KB per sheet on disk")
        print(f"baseline, every page drawn in full, 1 process: {naive:.0f} pages/s")
        print(f"  ratio to baseline: {rate / naive:.2f}x (per core: {rate / args.workers / naive:.2f}x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
