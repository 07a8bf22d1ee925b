"""Sheet codes (表格二维码): what the QR code on every page says, signed with the installation's key.

The payload uses only QR alphanumeric characters so the code stays small:
``PA1:S:2026:<layout hash>:<serial>:<household or ->:<page>.<pages>:<MAC>``, where the MAC is an
HMAC-SHA256 over everything before it, in base32 (80 bits). A code made with another key, or with
any character changed, fails verification.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Literal

from ocr.errors import CodeError

PREFIX = "PA1"
KIND_LETTERS: dict[str, str] = {"score": "S", "application": "A"}
LETTER_KINDS = {letter: kind for kind, letter in KIND_LETTERS.items()}
MAC_LENGTH = 16
_SAFE = re.compile(r"[0-9A-Z\-]+")


@dataclass(frozen=True)
class SheetCode:
    """The identity of one printed page: form kind, year, layout, serial, household and page."""

    kind: Literal["score", "application"]
    year: int
    layout_hash: str
    serial: str
    household: str | None
    page: int
    pages: int

    def body(self) -> str:
        """Return the signed part of the payload."""
        for part in (self.layout_hash, self.serial, self.household or "-"):
            if not _SAFE.fullmatch(part):
                raise ValueError(f"code part {part!r} must use 0-9, A-Z and '-'")
        household = self.household or "-"
        return f"{PREFIX}:{KIND_LETTERS[self.kind]}:{self.year}:{self.layout_hash}:{self.serial}:{household}:{self.page}.{self.pages}"


def _mac(body: str, key: bytes) -> str:
    digest = hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:MAC_LENGTH]


def encode(code: SheetCode, key: bytes) -> str:
    """Return the QR payload for a page, signed with ``key``."""
    body = code.body()
    return f"{body}:{_mac(body, key)}"


def decode(payload: str, key: bytes) -> SheetCode:
    """Parse and verify a QR payload; raise :class:`CodeError` saying why it is not ours."""
    text = payload.strip()
    parts = text.split(":")
    if len(parts) != 8 or parts[0] != PREFIX:
        raise CodeError(
            "页面上的二维码不是本系统印制的表格代码。",
            hint="请确认扫描的是 pingan 印制的评分表或申报审批表。",
        )
    body, mac = text.rsplit(":", 1)
    if not hmac.compare_digest(_mac(body, key), mac):
        raise CodeError(
            "二维码校验失败：表格代码被改动，或来自另一套系统（密钥不同）。",
            hint="请使用本系统印制的表格；如确为本单位表格，请检查 PINGAN_SECRET_KEY 是否与印制时一致。",
        )
    _, letter, year, layout_hash, serial, household, pages_text = parts[:7]
    match = re.fullmatch(r"(\d+)\.(\d+)", pages_text)
    if letter not in LETTER_KINDS or not year.isdigit() or match is None:
        raise CodeError("二维码内容格式不正确。", hint="请重新打印该表格。")
    page, pages = int(match.group(1)), int(match.group(2))
    if not 1 <= page <= pages:
        raise CodeError("二维码中的页码不正确。", hint="请重新打印该表格。")
    kind: Literal["score", "application"] = "score" if LETTER_KINDS[letter] == "score" else "application"
    return SheetCode(
        kind=kind,
        year=int(year),
        layout_hash=layout_hash,
        serial=serial,
        household=None if household == "-" else household,
        page=page,
        pages=pages,
    )
