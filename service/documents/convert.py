"""PDF from DOCX (公文转 PDF): LibreOffice, headless, one call for a batch, free fonts for Windows names.

LibreOffice runs with a private profile (so it never collides with a desktop instance or a hung
one) and with ``FONTCONFIG_FILE`` pointing at ``fonts.conf`` beside this module, which maps the
Windows font names the documents keep to the free CJK fonts the setup installs.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from service.errors import ExternalToolError
from service.tools.run import run_tool

FONTS_CONF = Path(__file__).with_name("fonts.conf")


def to_pdf(documents: Sequence[Path], out_dir: Path, timeout: float) -> list[Path]:
    """Convert DOCX files to PDF in ``out_dir`` with one LibreOffice call; return the PDFs in order."""
    if not documents:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="pingan-lo-"))
    try:
        run_tool(
            [
                "soffice",
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                out_dir,
                *documents,
            ],
            timeout=timeout,
            env={"FONTCONFIG_FILE": str(FONTS_CONF), "HOME": str(profile)},
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = [out_dir / f"{document.stem}.pdf" for document in documents]
    missing = [pdf.name for pdf in pdfs if not pdf.exists()]
    if missing:
        raise ExternalToolError(
            f"LibreOffice 没有生成 {'、'.join(missing)}。",
            hint="DOCX 已生成，可直接用 Word/WPS 打开打印；请运行 pingan doctor 检查 LibreOffice。",
        )
    return pdfs
