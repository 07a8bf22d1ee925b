"""Make the sample scans in samples/scans/ (run: make sample-scans).

Prints the 南关村 sheets exactly as ``make demo`` does (same roster, same order, same sample key),
fills some of them the way people do and "scans" them with the simulator in bench/scansim.py:

* ``南关村-评分表-扫描.pdf`` — 6 score sheets in one scanned PDF (JPEG pages, normal scanner);
* ``南关村-申报审批表-扫描.tif`` — 3 application forms (6 pages) as one multi-page TIFF;
* ``南关村-评分表-倒放.jpg`` — one more score sheet, fed upside down on a harsh scanner;
* ``truth.json`` — for every page: the ground truth of what was filled (``expected``) and the
  fields the reader sends to review on that page (``reviews``, recorded when the files were made).

The sample key is public on purpose (samples/README.md): never use it for a real installation.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scansim import degrade, draw_fill, random_fill  # noqa: E402

SAMPLE_KEY = "pingan-sample-installation-key-not-for-real-use"
SEED = 20260420
DPI = 200.0


def _print_forms(work: Path) -> dict[str, Path]:
    """Run the demo's first steps in a scratch data folder and return the printed PDFs."""
    os.environ["PINGAN_DATA_DIR"] = str(work / "data")
    os.environ["PINGAN_SECRET_KEY"] = SAMPLE_KEY
    os.environ["PINGAN_ACTOR"] = "样例"
    from service.cli import main
    from service.settings import get_settings

    get_settings.cache_clear()
    out = work / "forms"
    steps = [
        ["init", "--district", "清河区", "--district-code", "330199"],
        ["campaign", "new", "--year", "2026"],
        ["roster", "import", str(ROOT / "samples" / "roster-2026.xlsx"), "--year", "2026"],
        ["forms", "score", "--year", "2026", "--village", "南关村", "--out", str(out), "--workers", "1"],
        [
            "forms",
            "application",
            "--year",
            "2026",
            "--village",
            "南关村",
            "--out",
            str(out),
            "--workers",
            "1",
        ],
    ]
    for step in steps:
        if main(step) != 0:
            raise SystemExit(f"step failed: {step}")
    return {
        kind: next(out.glob(f"*{label}-2026-*.pdf"))
        for kind, label in (("score", "评分表"), ("application", "申报审批表"))
    }


def _layout(kind: str) -> Any:
    from service.campaign.defaults import CampaignRules
    from service.forms.layouts import build_layout

    return build_layout(kind, CampaignRules.defaults(2026, "清河区"), 2026)  # type: ignore[arg-type]


def _values(pdf: Path) -> list[dict[str, str]]:
    """Return each sheet's printed values, read back from the register of the print run."""
    from sqlalchemy import select

    from service.db.models import Household, Sheet
    from service.db.session import make_engine, session_scope
    from service.forms.values import household_values, place_of, sheet_info
    from service.settings import get_settings

    engine = make_engine(get_settings().resolved_database_url)
    rows = []
    with session_scope(engine) as session:
        for sheet in session.scalars(select(Sheet).where(Sheet.file_name == pdf.name).order_by(Sheet.number)):
            household = session.get(Household, sheet.household_id)
            assert household is not None
            values = household_values(household)
            values["sheet_info"] = sheet_info(
                sheet.serial, household.code, place_of(household.village, household.group)
            )
            rows.append({"serial": sheet.serial, "household": household.code, **values})
    engine.dispose()
    return rows


def _scan(
    kind: str, pdf: Path, sheets: range, level: str, out: list[tuple[Image.Image, dict[str, Any]]]
) -> None:
    layout = _layout(kind)
    printed = _values(pdf)
    document = pypdfium2.PdfDocument(str(pdf))
    for number in sheets:
        values = printed[number]
        fill = random_fill(layout, np.random.default_rng([SEED, number, 0]), "realistic", values)
        for page in layout.pages:
            index = number * len(layout.pages) + page.number - 1
            clean = document[index].render(scale=DPI / 72).to_pil().convert("RGB")
            filled = draw_fill(clean, page, DPI, fill, np.random.default_rng([SEED, number, 1, page.number]))
            scan, meta = degrade(filled, level, np.random.default_rng([SEED, number, 2, page.number]), DPI)  # type: ignore[arg-type]
            truth = {
                "serial": values["serial"],
                "household": values["household"],
                "page": page.number,
                "expected": fill.expected(page.number),
                "meta": meta.to_dict(),
            }
            out.append((scan, truth))
    document.close()


def _reviews(path: Path, work: Path) -> list[list[str]]:
    """Read a written sample file with the reader; return each page's fields that go to review."""
    from ocr.reader import Reader

    layouts = {layout.layout_hash(): layout for layout in (_layout("score"), _layout("application"))}
    reader = Reader(SAMPLE_KEY.encode(), layouts.get)
    return [sorted(f.name for f in page.fields if f.status == "review") for page in reader.read_file(path)]


def main() -> None:
    """Write the sample scans and their ground truth."""
    target = ROOT / "samples" / "scans"
    target.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pingan-sample-scans-"))
    try:
        pdfs = _print_forms(work)
        files: dict[str, list[tuple[Image.Image, dict[str, Any]]]] = {}
        score: list[tuple[Image.Image, dict[str, Any]]] = []
        _scan("score", pdfs["score"], range(0, 6), "normal", score)
        files["南关村-评分表-扫描.pdf"] = score
        application: list[tuple[Image.Image, dict[str, Any]]] = []
        _scan("application", pdfs["application"], range(0, 3), "normal", application)
        files["南关村-申报审批表-扫描.tif"] = application
        flipped: list[tuple[Image.Image, dict[str, Any]]] = []
        _scan("score", pdfs["score"], range(6, 7), "harsh", flipped)
        files["南关村-评分表-倒放.jpg"] = [(flipped[0][0].rotate(180), flipped[0][1])]
        truth: dict[str, Any] = {"key": SAMPLE_KEY, "files": {}}
        for name, pages in files.items():
            path = target / name
            images = [image.convert("RGB") for image, _ in pages]
            if name.endswith(".pdf"):
                images[0].save(
                    path, "PDF", save_all=True, append_images=images[1:], resolution=DPI, quality=80
                )
            elif name.endswith(".tif"):
                images[0].save(
                    path,
                    "TIFF",
                    save_all=True,
                    append_images=images[1:],
                    compression="jpeg",
                    quality=80,
                    dpi=(DPI, DPI),
                )
            else:
                images[0].save(path, "JPEG", quality=85, dpi=(DPI, DPI))
            reviews = _reviews(path, work)
            truth["files"][name] = [
                {**info, "reviews": review} for (_, info), review in zip(pages, reviews, strict=True)
            ]
            print(path, len(pages), "pages")
        (target / "truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
