"""The committed sample scans (samples/scans/) read back to their ground truth, exactly."""

from __future__ import annotations

import json

import pytest

from ocr.reader import Reader
from ocr.reading import FieldStatus, assemble
from service.campaign.defaults import CampaignRules
from service.forms.layouts import build_layout
from tests.conftest import SAMPLES

SCANS = SAMPLES / "scans"
TRUTH = json.loads((SCANS / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reader() -> Reader:
    rules = CampaignRules.defaults(2026, "清河区")
    layouts = {
        layout.layout_hash(): layout
        for layout in (build_layout("score", rules, 2026), build_layout("application", rules, 2026))
    }
    return Reader(TRUTH["key"].encode(), layouts.get)


@pytest.mark.parametrize("name", sorted(TRUTH["files"]))
def test_sample_file_reads_to_its_truth(reader: Reader, name: str) -> None:
    pages = list(reader.read_file(SCANS / name))
    truth = TRUTH["files"][name]
    assert len(pages) == len(truth)
    for page, expected in zip(pages, truth, strict=True):
        assert page.ok, (name, page.page_index, page.error)
        assert page.identity is not None
        assert (page.identity.serial, page.identity.household, page.identity.page) == (
            expected["serial"],
            expected["household"],
            expected["page"],
        )
        reviews = sorted(f.name for f in page.fields if f.status == FieldStatus.review)
        assert reviews == expected["reviews"], (name, expected["serial"], expected["page"])
        for field in page.fields:
            if (
                field.status != FieldStatus.accepted
                or field.kind == "printed"
                or field.name not in expected["expected"]
            ):
                continue
            want = expected["expected"][field.name]
            if field.kind == "bubbles":
                assert field.value == want, (expected["serial"], field.name, field.measures)
            elif field.kind == "seal":
                assert field.value == (want == "sealed"), (expected["serial"], field.name)
            else:
                assert field.value == (want != "blank"), (expected["serial"], field.name, field.measures)


def test_upside_down_harsh_page_and_forms_assemble(reader: Reader) -> None:
    flipped = next(iter(reader.read_file(SCANS / "南关村-评分表-倒放.jpg")))
    assert flipped.ok and flipped.rotation == 180
    pages = list(reader.read_file(SCANS / "南关村-申报审批表-扫描.tif"))
    forms = assemble(pages)
    assert [f.serial for f in forms] == ["2026A000001", "2026A000002", "2026A000003"]
    assert all(f.complete for f in forms)
