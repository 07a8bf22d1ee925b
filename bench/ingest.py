"""Benchmark: ingesting scanned pages into SQLite (make bench-ingest).

Prints N prefilled score sheets through the real printer into a fresh database, fills and scans
them (bench/scansim.py, "normal" level, JPEG files), then measures, with the same two-process pool:
the reader alone over the files, and the full ingestion (storing the files, reading, records,
review items, one commit per chunk). Prints pages/s for both and the overhead of storage and
bookkeeping (target: ≤ 25 %).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pypdfium2

from bench.forms import synthetic_roster
from bench.scansim import degrade, draw_fill, random_fill
from service.concurrency import PoolExecutor
from service.intake import Chunk, ingest, read_chunk
from service.settings import get_settings
from service.storage import storage_for

KEY = "bench-ingest-installation-key-0123456789abcdef"


def prepare(work: Path, pages: int) -> tuple[Path, Path]:
    """Create the database, print the sheets and write their scans; return (scans folder, data folder)."""
    os.environ["PINGAN_DATA_DIR"] = str(work / "data")
    os.environ["PINGAN_SECRET_KEY"] = KEY
    os.environ["PINGAN_ACTOR"] = "bench"
    get_settings.cache_clear()
    from service.cli import main

    roster = work / "roster.xlsx"
    synthetic_roster(roster, pages, max(1, pages // 100))
    for step in (
        ["init", "--district", "基准区"],
        ["campaign", "new", "--year", "2026"],
        ["roster", "import", str(roster)],
        ["forms", "score", "--year", "2026", "--township", "基准镇", "--out", str(work / "forms")],
    ):
        if main(step) != 0:
            raise SystemExit(f"failed: {step}")
    from service.campaign.defaults import CampaignRules
    from service.forms.layouts import build_layout

    layout = build_layout("score", CampaignRules.defaults(2026, "基准区"), 2026)
    scans = work / "scans"
    scans.mkdir()
    number = 0
    for pdf in sorted((work / "forms").glob("*.pdf")):
        document = pypdfium2.PdfDocument(str(pdf))
        for index in range(len(document)):
            number += 1
            clean = document[index].render(scale=200 / 72).to_pil().convert("RGB")
            fill = random_fill(
                layout, np.random.default_rng([7, number, 0]), "realistic", {"head_name": "x", "address": "x"}
            )
            filled = draw_fill(clean, layout.pages[0], 200, fill, np.random.default_rng([7, number, 1]))
            scan, meta = degrade(filled, "normal", np.random.default_rng([7, number, 2]), 200)
            scan.save(scans / f"{pdf.stem}-{index + 1:04d}.jpg", quality=meta.jpeg_quality or 85)
        document.close()
    return scans, work / "data"


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pingan-bench-ingest-"))
    try:
        scans, _ = prepare(work, args.pages)
        files = sorted(scans.glob("*.jpg"))
        pool = PoolExecutor(args.workers)
        started = time.perf_counter()
        storage = storage_for(get_settings())
        for path in files:
            storage.put_file(f"bench/{path.name}", path)
        grouped = [Chunk(0, f"bench/{path.name}", path.name, (0,)) for path in files]
        read = sum(len(results) for _, results in pool.run(read_chunk, grouped))
        reader_seconds = time.perf_counter() - started
        from service.db.session import make_engine, session_scope

        settings = get_settings()
        engine = make_engine(settings.resolved_database_url)
        started = time.perf_counter()
        with session_scope(engine) as session:
            report = ingest(session, settings, [scans], "bench", 2026, PoolExecutor(args.workers))
        ingest_seconds = time.perf_counter() - started
        engine.dispose()
        reader_rate, ingest_rate = read / reader_seconds, report.pages / ingest_seconds
        print(f"{report.pages} scanned pages (200 dpi JPEG, normal scanner), {args.workers} worker processes")
        print(f"  reader alone:       {reader_rate:6.1f} pages/s ({reader_seconds:.1f} s)")
        print(f"  full ingestion:     {ingest_rate:6.1f} pages/s ({ingest_seconds:.1f} s): {report.outcomes['applied']} pages into records, "
              f"{report.records_created} records, {report.reviews} review items, {report.outcomes['rejected']} rejected")  # fmt: skip
        print(f"  storage and bookkeeping add {reader_rate / ingest_rate - 1:.0%} (target ≤ 25%)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
