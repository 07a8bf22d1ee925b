"""Errors of the reading library (识读错误): each says what is wrong and what to do."""

from __future__ import annotations


class ReadError(Exception):
    """A page or file cannot be read; ``hint`` says what to do (rescan, straighten, print at 100%…)."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class CodeError(ReadError):
    """A sheet code that is malformed, forged, altered or from another installation (二维码无效)."""
