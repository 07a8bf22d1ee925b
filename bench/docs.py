"""Speed of the official documents (make bench-docs).

DOCX: a township naming decision whose 花名册 has 1,000 rows, rendered from its docxtpl template
(target ≤ 2 s). PDF: LibreOffice converting a batch of documents in one call, per document,
against the baseline of one LibreOffice call per document measured in the same run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from service.documents.convert import to_pdf
from service.documents.naming import TEMPLATE
from service.documents.render import render_docx


def payload(rows: int) -> dict[str, Any]:
    """Return a naming decision payload with ``rows`` households (fictional, as in samples/)."""
    villages = ["南关村", "北街社区", "西郊村", "柳林村", "杨家庄村"]
    surnames = "王李张刘陈杨赵黄周吴"
    return {
        "header": "城关镇妇女联合会文件",
        "number": "城关镇妇发〔2026〕3号",
        "title": "城关镇妇女联合会关于命名2026年度“平安家庭”的决定",
        "recipients": "各村（社区）妇联、党组织",
        "body": [
            "根据《清河区2026年“平安家庭”创建工作实施方案》要求，2026年我镇在各村（社区）广泛开展“平安家庭”创建活动。",
            f"经家庭自愿申报、评审组考核评分、村（社区）推荐、镇妇联审核和镇创建工作领导小组审批，决定命名 {rows} 户家庭为2026年度“平安家庭”（名单见附件）。",
            "希望受到命名的家庭珍惜荣誉，发挥示范带头作用。",
        ],
        "attachment_title": "城关镇2026年度“平安家庭”花名册",
        "issuer": "城关镇妇女联合会",
        "date": "2026年5月10日",
        "rows": [
            {
                "seq": n,
                "village": villages[n % len(villages)],
                "head": surnames[n % 10] + "秀" + surnames[(n // 10) % 10],
                "size": 2 + n % 5,
                "address": f"清河区城关镇{villages[n % len(villages)]}第{1 + n % 6}村民小组{n}号",
                "phone": f"138****{n % 10000:04d}",
                "score": 90 + n % 11,
                "note": "",
            }
            for n in range(1, rows + 1)
        ],
        "cc": "清河区妇联",
        "printer": "城关镇妇女联合会",
        "printed_on": "2026年5月10日",
    }


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=6, help="documents converted to PDF")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pingan-bench-docs-"))
    try:
        big = payload(args.rows)
        times = []
        for attempt in range(3):
            started = time.perf_counter()
            render_docx(TEMPLATE, big, work / f"big-{attempt}.docx")
            times.append(time.perf_counter() - started)
        docx_s = statistics.median(times)
        print(f"DOCX, naming decision with a {args.rows}-row 花名册: median {docx_s:.2f} s (target ≤ 2 s)")
        started = time.perf_counter()
        to_pdf([work / "big-0.docx"], work / "pdf-big", args.timeout)
        print(f"PDF of that decision (LibreOffice, one call):   {time.perf_counter() - started:.1f} s")
        small = payload(40)
        documents = [render_docx(TEMPLATE, small, work / f"doc-{n}.docx") for n in range(args.batch)]
        started = time.perf_counter()
        to_pdf(documents, work / "pdf-batch", args.timeout)
        batch = (time.perf_counter() - started) / len(documents)
        started = time.perf_counter()
        for document in documents:
            to_pdf([document], work / "pdf-single", args.timeout)
        single = (time.perf_counter() - started) / len(documents)
        print(
            f"PDF per document, {len(documents)} 40-row decisions in one LibreOffice call: {batch:.2f} s"
            f"  (baseline, one call each: {single:.2f} s -> {single / batch:.1f}x faster in a batch)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
