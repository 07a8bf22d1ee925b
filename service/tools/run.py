"""The one place pingan runs external programs: timeout, logged argv, captured output, clear errors."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from service.errors import ExternalToolError

log = logging.getLogger("pingan.tools")

#: Debian package that provides each program, for install advice.
PACKAGES: dict[str, str] = {
    "tesseract": "tesseract-ocr",
    "soffice": "libreoffice-writer-nogui",
    "pdftoppm": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "fc-list": "fontconfig",
    "fc-match": "fontconfig",
}


def install_advice(program: str) -> str:
    """Return how to install a missing program on Debian."""
    package = PACKAGES.get(program, program)
    return f"请安装：sudo apt-get install {package}（或在项目目录运行 make setup）"


@dataclass(frozen=True)
class ToolResult:
    """What an external program did."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_tool(
    argv: Sequence[str | Path],
    *,
    timeout: float,
    check: bool = True,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> ToolResult:
    """Run a program to completion; kill its whole process group if it outlives ``timeout``."""
    args = tuple(str(a) for a in argv)
    program = Path(args[0]).name
    log.debug("run %s (timeout %.0fs)", " ".join(args), timeout)
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            args,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, **env} if env else None,
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise ExternalToolError(f"找不到外部程序 {program}。", hint=install_advice(program)) from exc
    except PermissionError as exc:
        raise ExternalToolError(f"无权限运行外部程序 {args[0]}。", hint="请检查该程序的执行权限。") from exc
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ExternalToolError(
            f"外部程序 {program} 运行超过 {timeout:.0f} 秒未结束，已终止。",
            hint="请检查该程序是否卡住（如 LibreOffice 有残留进程），或调高 PINGAN_TOOL_TIMEOUT。",
        ) from exc
    result = ToolResult(
        argv=args,
        returncode=process.returncode,
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        seconds=time.monotonic() - started,
    )
    log.debug("%s exited %d in %.2fs", program, result.returncode, result.seconds)
    if check and result.returncode != 0:
        tail = (result.stderr.strip() or result.stdout.strip())[-500:]
        raise ExternalToolError(
            f"外部程序 {program} 运行失败（退出码 {result.returncode}）：{tail}",
            hint="请运行 pingan doctor 检查外部程序是否完整安装。",
        )
    return result
