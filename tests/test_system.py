"""init, doctor, settings and migrations."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from service.db.models import Base
from service.db.session import head_revision, make_engine, upgrade
from service.errors import ConfigError, ExternalToolError
from service.settings import Settings, get_settings
from service.tools.probes import run_probes
from service.tools.run import run_tool
from tests.conftest import CliResult

Cli = Callable[..., CliResult]


def test_commands_before_init_say_how_to_start(cli: Cli) -> None:
    result = cli("campaign", "show", "--year", "2026")
    assert result.code == 3
    assert "尚未初始化" in result.err and "pingan init --district" in result.err


def test_init_needs_a_district_then_is_idempotent(cli: Cli, data_dir: Path) -> None:
    first = cli("init")
    assert first.code == 3 and "还没有设置本区" in first.err
    created = cli("init", "--district", "清河区", "--district-code", "330199")
    assert created.code == 0, created.err
    assert "本区：清河区（代码 330199）" in created.out
    again = cli("init")
    assert again.code == 0 and "已是最新" in again.out
    other = cli("init", "--district", "白云区")
    assert other.code == 5 and "数据库已属于“清河区”" in other.err


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    tables = set(inspect(engine).get_table_names())
    assert {
        "admin_unit",
        "household",
        "member",
        "campaign_year",
        "standard",
        "campaign_phase",
        "quota",
        "audit_entry",
        "roster_import",
    } <= tables


def test_upgrade_from_empty_reports_revisions(tmp_path: Path) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    assert upgrade(db) == (None, head_revision(db))
    assert upgrade(db) == (head_revision(db), head_revision(db))
    db.dispose()


def test_secret_key_is_generated_once_and_private(data_dir: Path) -> None:
    settings = Settings()
    key = settings.signing_key()
    path = data_dir / "secret.key"
    assert len(key) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings().signing_key() == key
    other = Settings(data_dir=data_dir.parent / "elsewhere")
    assert other.signing_key() != key


def test_secret_key_from_environment_must_be_long(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINGAN_SECRET_KEY", "short")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="至少需要 32 个字符"):
        get_settings()
    monkeypatch.setenv("PINGAN_SECRET_KEY", "x" * 40)
    get_settings.cache_clear()
    assert get_settings().signing_key() == b"x" * 40


def test_default_database_is_sqlite_in_the_data_folder(data_dir: Path) -> None:
    assert Settings().resolved_database_url == f"sqlite:///{(data_dir / 'pingan.db').resolve()}"
    assert Settings(database_url="postgresql+psycopg://db/pingan").resolved_database_url.startswith(
        "postgresql"
    )


def test_doctor_finds_the_installed_tools(cli: Cli) -> None:
    result = cli("doctor")
    assert result.code == 0, result.out
    for name in (
        "tesseract",
        "chi_sim",
        "LibreOffice",
        "pdftoppm",
        "Noto Serif CJK SC",
        "AR PL UKai CN",
        "WenQuanYi Zen Hei",
    ):
        assert name in result.out
    found = {p.name: p for p in run_probes()}
    assert found["tesseract"].version.split(".")[0].isdigit()


def test_doctor_names_what_is_missing_and_how_to_install(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = cli("doctor")
    assert result.code == 1
    assert "✘ 缺少" in result.out
    assert "apt-get install tesseract-ocr" in result.out
    assert "apt-get install libreoffice-writer-nogui" in result.out


def test_tool_wrapper_timeout_and_failures() -> None:
    with pytest.raises(ExternalToolError, match="超过 1 秒未结束"):
        run_tool(["sleep", "5"], timeout=1)
    with pytest.raises(ExternalToolError, match="找不到外部程序 no-such-program"):
        run_tool(["no-such-program"], timeout=5)
    with pytest.raises(ExternalToolError, match="退出码 3"):
        run_tool(["sh", "-c", "echo boom >&2; exit 3"], timeout=5)
    assert run_tool(["echo", "你好"], timeout=5).stdout.strip() == "你好"


def test_audit_command_lists_changes(initialised: Cli) -> None:
    result = initialised("audit", "--entity", "campaign_year")
    assert result.code == 0
    assert "新增" in result.out and "2026" in result.out
