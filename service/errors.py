"""One exception hierarchy for pingan; the CLI and the API map it in one place each.

Every error carries a Chinese message that says what was wrong and where, and a hint that says
what to do. ``exit_code`` is used by the CLI, ``http_status`` and ``code`` by the API.
"""

from __future__ import annotations


class PinganError(Exception):
    """Base of every error pingan reports to a user (错误)."""

    exit_code = 1
    http_status = 400
    code = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n处理办法：{self.hint}"
        return self.message


class ConfigError(PinganError):
    """Settings are missing or unsafe (配置错误)."""

    exit_code = 3
    http_status = 500
    code = "config"


class NotFound(PinganError):
    """A named unit, household, year or record does not exist (未找到)."""

    exit_code = 4
    http_status = 404
    code = "not_found"


class Conflict(PinganError):
    """The request contradicts what is already stored (冲突)."""

    exit_code = 5
    http_status = 409
    code = "conflict"


class InputFileError(PinganError):
    """An input file cannot be read at all: wrong type, encrypted, empty, too large (文件无法读取)."""

    exit_code = 2
    http_status = 422
    code = "bad_file"


class InvalidRows(PinganError):
    """An input file was read but some of its rows are invalid; nothing was written (数据有误)."""

    exit_code = 2
    http_status = 422
    code = "invalid_rows"

    def __init__(self, message: str, problems: list[str], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.problems = problems

    def __str__(self) -> str:
        lines = [self.message, *("  " + p for p in self.problems)]
        if self.hint:
            lines.append(f"处理办法：{self.hint}")
        return "\n".join(lines)


class ExternalToolError(PinganError):
    """An external program is missing, failed or timed out (外部程序错误)."""

    exit_code = 6
    http_status = 503
    code = "external_tool"


class NotAuthenticated(PinganError):
    """No valid login or API token was given."""

    exit_code = 7
    http_status = 401
    code = "not_authenticated"


class Forbidden(PinganError):
    """The user is logged in but the unit or the action is outside their role's scope."""

    exit_code = 7
    http_status = 403
    code = "forbidden"


class TooLarge(InputFileError):
    """An upload is larger than the limit (文件过大)."""

    http_status = 413
    code = "too_large"


class UnsupportedType(InputFileError):
    """An upload's content is not a kind accepted here, whatever its name says (格式不符)."""

    http_status = 415
    code = "unsupported_type"
