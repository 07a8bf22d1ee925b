"""Ingesting scans (扫描件入库): files kept by content hash, pages read in a pool, records updated.

Each page's result is committed as soon as it is known, so a batch killed midway loses nothing
and a re-run reads only the pages not yet stored; the same file ingested twice changes nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ocr.intake import count_pages
from ocr.reading import PageReading
from service.campaign.years import get_year, rules_of
from service.concurrency import Executor, SerialExecutor
from service.db.models import ScanFile, ScanPage
from service.docx_returns import read_docx
from service.errors import InputFileError, NotFound
from service.progress import NullProgress, ProgressBar
from service.records import apply_page
from service.settings import Settings, get_settings
from service.storage import LocalStorage, storage_for

SCAN_SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png", ".docx"}
CHUNK_PAGES = 6


@dataclass
class IngestReport:
    """What a batch did (入库结果)."""

    files: int = 0
    new_files: int = 0
    pages: int = 0
    already: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    records_created: int = 0
    reviews: int = 0
    rejected: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    file_ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        """Return the one-line account of the batch: files, pages and what became of them."""
        outcome = self.outcomes
        return (
            f"共 {self.files} 个文件（新收 {self.new_files} 个），本次识读 {self.pages} 页"
            + (f"（另有 {self.already} 页此前已入库，未重复计算）" if self.already else "")
            + f"：入档 {outcome['applied']} 页，与已有相同 {outcome['duplicate']} 页，与已有不同 {outcome['conflict']} 页，"
            f"无法识读或拒收 {outcome['rejected']} 页；新建档案 {self.records_created} 份，新增复核项 {self.reviews} 个。"
        )


def collect(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders into scan files (sorted); return them and the names of files skipped."""
    files: list[Path] = []
    skipped: list[str] = []
    for path in paths:
        if not path.exists():
            raise InputFileError(f"{path} 不存在。", hint="请检查路径。")
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.suffix.lower() in SCAN_SUFFIXES:
                files.append(candidate)
            elif path.is_dir():
                skipped.append(str(candidate))
            else:
                files.append(candidate)  # named on purpose: the reader will say what is wrong with it
    return files, skipped


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def store_file(session: Session, settings: Settings, path: Path, actor: str) -> tuple[ScanFile, bool]:
    """Keep a copy of a received file under the data folder, once per content; return it and whether it is new."""
    digest = _sha256(path)
    existing = session.scalars(select(ScanFile).where(ScanFile.sha256 == digest)).first()
    if existing is not None:
        return existing, False
    key = f"scans/{digest[:2]}/{digest}{path.suffix.lower()}"
    storage_for(settings).put_file(key, path)
    row = ScanFile(
        sha256=digest,
        name=path.name,
        stored=key,
        size=path.stat().st_size,
        actor=actor,
    )
    session.add(row)
    session.flush()
    return row, True


@dataclass(frozen=True)
class Chunk:
    """A few pages of one stored file, read by one worker."""

    file_id: int
    key: str
    name: str
    pages: tuple[int, ...]


_READERS: dict[tuple[str, str], tuple[Any, Session]] = {}


def _reader() -> tuple[Any, Session]:
    """Return this process's reader for the configured database and data folder (made once each)."""
    from sqlalchemy.orm import sessionmaker

    from service.db.session import make_engine
    from service.scanning import reader_for

    settings = get_settings()
    place = (settings.resolved_database_url, str(settings.data_dir))
    if place not in _READERS:
        session = sessionmaker(bind=make_engine(settings.resolved_database_url))()
        _READERS[place] = (reader_for(session, settings), session)
    return _READERS[place]


def read_chunk(chunk: Chunk) -> tuple[int, list[tuple[int, dict[str, Any]]]]:
    """Read some pages of a file in a worker process (which opens the database itself for lookups)."""
    reader, session = _reader()
    try:
        return chunk.file_id, _read(reader, chunk)
    finally:
        session.rollback()  # only lookups: end the transaction, hold no snapshot or lock between chunks


def _read(reader: Any, chunk: Chunk) -> list[tuple[int, dict[str, Any]]]:
    storage = storage_for(get_settings())
    path = storage.fetch(chunk.key)
    reader.crops = (
        get_settings().data_dir / "crops" / path.stem
    )  # per stored file: a rescan never overwrites evidence
    results = []
    for reading in reader.read_file(path, frozenset(chunk.pages)):
        reading.source = chunk.name
        if not isinstance(storage, LocalStorage):  # crops go where every machine can see them
            for field_reading in reading.fields:
                if field_reading.crop:
                    key = f"crops/{path.stem}/{Path(field_reading.crop).name}"
                    storage.put_file(key, Path(field_reading.crop))
                    field_reading.crop = key
        results.append((reading.page_index, reading.model_dump(mode="json")))
    return results


def ingest(
    session: Session,
    settings: Settings,
    paths: Iterable[Path],
    actor: str,
    year: int | None = None,
    executor: Executor | None = None,
    progress: ProgressBar | None = None,
) -> IngestReport:
    """Store, read and record every page of the given files and folders, committing page by page."""
    executor = executor or SerialExecutor()
    progress = progress or NullProgress()
    rules = rules_of(get_year(session, year)) if year is not None else None
    files, skipped = collect(paths)
    storage = storage_for(settings)
    report = IngestReport(files=len(files), skipped=skipped)
    chunks: list[Chunk] = []
    word_files: list[tuple[int, Path, str]] = []
    for path in files:
        row, new = store_file(session, settings, path, actor)
        report.new_files += new
        report.file_ids.append(row.id)
        stored = storage.fetch(row.stored)
        done = set(session.scalars(select(ScanPage.page_index).where(ScanPage.file_id == row.id)))
        if stored.suffix == ".docx":
            report.already += len(done)
            if not done:
                word_files.append((row.id, stored, row.name))
            continue
        todo = [i for i in range(count_pages(stored)) if i not in done]
        report.already += len(done)
        for start in range(0, len(todo), CHUNK_PAGES):
            chunks.append(Chunk(row.id, row.stored, row.name, tuple(todo[start : start + CHUNK_PAGES])))
    session.commit()
    total = sum(len(c.pages) for c in chunks)
    progress.start(total, "识读扫描页", "页")
    recorder = _Recorder(session, report, rules)
    try:
        for file_id, path, name in word_files:
            for reading in read_docx(path, settings.signing_key(), recorder.layout):
                reading.source = name
                recorder.record(file_id, reading.page_index, reading.model_dump(mode="json"))
            session.commit()
        for file_id, results in executor.run(read_chunk, chunks):
            for index, data in results:
                recorder.record(file_id, index, data)
            session.commit()
            progress.advance(len(results))
    finally:
        progress.finish()
    return report


class _Recorder:
    """Stores each page's reading and applies it to the records, counting what happened."""

    def __init__(self, session: Session, report: IngestReport, rules: Any) -> None:
        self.session = session
        self.report = report
        self.rules = rules
        self.year_rules: dict[int, Any] = {}

    def layout(self, digest: str) -> Any:
        """Return a stored layout by hash (for Word returns)."""
        from ocr.layout import FormLayout
        from service.db.models import StoredLayout

        stored = self.session.get(StoredLayout, digest)
        return FormLayout.from_json(stored.body) if stored else None

    def _rules_for(self, year: int) -> Any:
        if self.rules is not None:
            return self.rules
        if year not in self.year_rules:
            try:
                self.year_rules[year] = rules_of(get_year(self.session, year))
            except NotFound:
                self.year_rules[year] = None
        return self.year_rules[year]

    def record(self, file_id: int, index: int, data: dict[str, Any]) -> None:
        """Store one page and apply it, once: a page read twice (a retried task) is counted once."""
        report = self.report
        stored = select(ScanPage.id).where(ScanPage.file_id == file_id, ScanPage.page_index == index)
        if self.session.scalars(stored).first() is not None:
            report.already += 1
            return
        reading = PageReading.model_validate(data)
        report.pages += 1
        page_row = ScanPage(
            file_id=file_id,
            page_index=index,
            ok=reading.ok,
            error=reading.error,
            hint=reading.hint,
            serial=reading.identity.serial if reading.identity else None,
            page_no=reading.identity.page if reading.identity else None,
            outcome="rejected",
            reading=data,
        )
        self.session.add(page_row)
        self.session.flush()
        if not reading.ok or reading.identity is None:
            report.outcomes["rejected"] += 1
            report.rejected.append(f"{reading.where}：{reading.error}（{reading.hint}）")
            return
        applied = apply_page(self.session, page_row, reading, self._rules_for(reading.identity.year))
        page_row.outcome = applied.outcome
        report.outcomes[applied.outcome] += 1
        report.records_created += applied.created
        report.reviews += applied.reviews
        if applied.outcome == "rejected":
            report.rejected.append(f"{reading.where}：{'；'.join(applied.notes)}")
