"""Text engines (文字识别引擎): behind one interface, chosen by measurement.

The reader never trusts a text engine for a value that counts: engines only *suggest* a
transcription of handwriting and read back the name printed on prefilled sheets. Two engines:
tesseract (in-process through tesserocr when available, otherwise the ``tesseract`` program
through pytesseract) and RapidOCR (PP-OCR models shipped inside the rapidocr-onnxruntime wheel,
no download at run time).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from ocr.errors import ReadError

TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
)


class TextEngine(Protocol):
    """Reads one line of text from an image crop."""

    name: str

    def read(self, image: NDArray[np.uint8]) -> tuple[str, float]:
        """Return the text and a confidence in 0…1."""
        ...


def _tessdata() -> str:
    for folder in (os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_DIRS):
        if folder and (Path(folder) / "chi_sim.traineddata").exists():
            return folder
    raise ReadError(
        "找不到 tesseract 的简体中文模型 chi_sim。", hint="请安装：sudo apt-get install tesseract-ocr-chi-sim"
    )


class TesseractEngine:
    """tesseract chi_sim, single-line mode; in-process (tesserocr) when it is installed."""

    name = "tesseract"

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._api: Any = None
        try:
            import tesserocr

            self._api = tesserocr.PyTessBaseAPI(
                path=_tessdata() + "/", lang="chi_sim", psm=tesserocr.PSM.SINGLE_LINE
            )
            self.name = "tesseract (tesserocr)"
        except ImportError:
            if shutil.which("tesseract") is None:
                raise ReadError(
                    "找不到 tesseract。",
                    hint="请安装：sudo apt-get install tesseract-ocr tesseract-ocr-chi-sim",
                ) from None
            self.name = "tesseract (pytesseract)"

    def read(self, image: NDArray[np.uint8]) -> tuple[str, float]:
        """Return the text of one line and tesseract's mean word confidence."""
        picture = Image.fromarray(image)
        if self._api is not None:
            self._api.SetImage(picture)
            text = str(self._api.GetUTF8Text())
            confidence = float(self._api.MeanTextConf()) / 100
        else:
            import pytesseract

            data = pytesseract.image_to_data(
                picture,
                lang="chi_sim",
                config="--psm 7",
                timeout=self.timeout,
                output_type=pytesseract.Output.DICT,
            )
            words = [(w, float(c)) for w, c in zip(data["text"], data["conf"], strict=True) if w.strip()]
            text = "".join(w for w, _ in words)
            confidence = (sum(c for _, c in words) / len(words) / 100) if words else 0.0
        return "".join(text.split()), max(0.0, min(1.0, confidence))


class RapidEngine:
    """RapidOCR (PP-OCR detection + recognition, ONNX models inside the wheel)."""

    name = "rapidocr"

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise ReadError("未安装 rapidocr-onnxruntime。", hint="请在项目目录运行 make setup") from exc
        # One thread each: the crops are small, and the reader already runs one process per core.
        self._ocr = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)

    def read(self, image: NDArray[np.uint8]) -> tuple[str, float]:
        """Return the text of a one-line crop and its recognition score.

        Only the recognition model runs: a field's crop is already one line, and the detection
        model costs seconds on a small CPU.
        """
        rgb = image if image.ndim == 3 else np.stack([image] * 3, axis=-1)
        result, _ = self._ocr(rgb[..., ::-1].copy(), use_det=False, use_cls=False, use_rec=True)
        if not result:
            return "", 0.0
        text, score = str(result[0][0]), float(result[0][1])
        return "".join(text.split()), score


def make_engine(name: str) -> TextEngine:
    """Return the engine called ``name`` (``rapidocr`` or ``tesseract``)."""
    if name == "rapidocr":
        return RapidEngine()
    if name == "tesseract":
        return TesseractEngine()
    raise ReadError(f"未知的文字识别引擎“{name}”。", hint="可选：rapidocr、tesseract")
