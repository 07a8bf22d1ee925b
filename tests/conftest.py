"""Shared fixtures: a fresh data folder per test, the CLI, and an initialised database."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from service.campaign.defaults import CampaignRules
from service.cli import main
from service.db.models import Household, Record, ReviewItem
from service.db.session import make_engine, session_scope
from service.settings import get_settings
from service.status import Step, household_status

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@dataclass
class CliResult:
    """Exit code and output of one CLI run."""

    code: int
    out: str
    err: str


# Set PINGAN_TEST_DATABASE_URL (e.g. postgresql+psycopg://127.0.0.1:5432/test) to run the tests that
# use a database against that server instead of SQLite: each test gets its own schema, dropped after.
TEST_DATABASE_URL = os.environ.get("PINGAN_TEST_DATABASE_URL")
DB_FIXTURES = {"cli", "initialised", "engine", "session", "printed", "printed_db", "named", "api"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses a database ``db`` (``make test`` runs those on PostgreSQL too)."""
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)


@contextmanager
def module_database() -> Iterator[str | None]:
    """Yield a database URL for fixtures that outlive one test (None: SQLite in their data folder)."""
    with _database() as url:
        yield url


@contextmanager
def _database() -> Iterator[str | None]:
    """Yield the database URL of one test: SQLite in its folder, or a fresh schema on the test server."""
    if not TEST_DATABASE_URL:
        yield None
        return
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    server = create_engine(TEST_DATABASE_URL)
    with server.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    try:
        yield f"{TEST_DATABASE_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with server.begin() as connection:
            # a session the test left open in a transaction would hold the drop forever: end it
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                )
            )
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        server.dispose()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point pingan at a fresh data folder (and a fresh SQLite database, or PostgreSQL schema) for each test."""
    folder = tmp_path / "data"
    monkeypatch.setenv("PINGAN_DATA_DIR", str(folder))
    monkeypatch.setenv("PINGAN_ACTOR", "测试员")
    monkeypatch.setenv("COLUMNS", "200")
    with _database() as url:
        if url:
            monkeypatch.setenv("PINGAN_DATABASE_URL", url)
        get_settings.cache_clear()
        yield folder
        get_settings.cache_clear()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``pingan`` in-process and return its exit code and output."""

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def initialised(cli: Callable[..., CliResult]) -> Callable[..., CliResult]:
    """A database with the district 清河区 and the 2026 campaign year."""
    assert cli("init", "--district", "清河区", "--district-code", "330199").code == 0
    assert cli("campaign", "new", "--year", "2026").code == 0
    return cli


@pytest.fixture
def engine(initialised: Callable[..., CliResult]) -> Iterator[Engine]:
    """An engine on the test's initialised database."""
    db = make_engine(get_settings().resolved_database_url)
    yield db
    db.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test's initialised database (committed at the end)."""
    with session_scope(engine) as db_session:
        yield db_session


@pytest.fixture
def sample(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a file from samples/ into the test's folder (so rejected-row files land there)."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copy(SAMPLES / name, target)
        return target

    return copy


SAMPLE_KEY = "pingan-sample-installation-key-not-for-real-use"


def _printing_steps(forms: Path) -> list[list[str]]:
    """The demo's first steps: district, 2026, the sample roster, 南关村's score sheets and application forms."""
    return [
        ["init", "--district", "清河区", "--district-code", "330199"],
        ["campaign", "new", "--year", "2026"],
        ["roster", "import", str(SAMPLES / "roster-2026.xlsx")],
        *(
            ["forms", kind, "--year", "2026", "--village", "南关村", "--out", str(forms), "--workers", "1"]
            for kind in ("score", "application")
        ),
    ]


@dataclass
class Template:
    """The state after the demo's first steps, made once per run and copied into each test that needs it."""

    folder: Path
    database_url: str | None


@contextmanager
def _server_database(name: str) -> Iterator[str]:
    """Create a database on the PostgreSQL test server (dropped afterwards) and yield its URL."""
    from sqlalchemy import create_engine, make_url, text

    assert TEST_DATABASE_URL
    server = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with server.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        drop()
        server.dispose()


@pytest.fixture(scope="session")
def printed_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    """Run the demo's first steps once, into a folder (SQLite) or a template database (PostgreSQL)."""
    import sqlite3

    from sqlalchemy import create_engine, text

    base = tmp_path_factory.mktemp("printed")
    name = f"tmpl_{uuid.uuid4().hex[:12]}"
    with _server_database(name) if TEST_DATABASE_URL else nullcontext(None) as url:
        if url:
            server = create_engine(str(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
            with server.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            server.dispose()
        with pytest.MonkeyPatch.context() as patch:
            for key, value in {"PINGAN_DATA_DIR": str(base / "data"), "PINGAN_ACTOR": "测试员",
                               "PINGAN_SECRET_KEY": SAMPLE_KEY, "COLUMNS": "200"}.items():  # fmt: skip
                patch.setenv(key, value)
            if url:
                patch.setenv("PINGAN_DATABASE_URL", url)
            else:
                patch.delenv("PINGAN_DATABASE_URL", raising=False)
            get_settings.cache_clear()
            for args in _printing_steps(base / "forms"):
                assert main(args) == 0, args
            get_settings.cache_clear()
        if url is None:
            with sqlite3.connect(base / "data" / "pingan.db") as db:  # everything into the main file
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        yield Template(base, url)


@pytest.fixture
def printed(
    cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    data_dir: Path,
    printed_template: Template,
) -> Iterator[Callable[..., CliResult]]:
    """The demo's first steps with the sample key: district, 2026, the sample roster, 南关村's forms printed.

    A copy of the state the steps leave (made once per run): the data folder and the printed forms,
    and on PostgreSQL a database cloned from the template.
    """
    from sqlalchemy import create_engine, text

    monkeypatch.setenv("PINGAN_SECRET_KEY", SAMPLE_KEY)
    shutil.copytree(printed_template.folder / "forms", tmp_path / "forms")
    if (printed_template.folder / "data").exists():
        shutil.copytree(printed_template.folder / "data", data_dir, dirs_exist_ok=True)
    if printed_template.database_url is None:
        get_settings.cache_clear()
        yield cli
        return
    template = printed_template.database_url.rsplit("/", 1)[1]
    clone = f"t_{uuid.uuid4().hex[:12]}"
    with _server_database(clone) as url:
        server = create_engine(str(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": template},
            )
            connection.execute(text(f'CREATE DATABASE "{clone}" TEMPLATE "{template}"'))
        server.dispose()
        monkeypatch.setenv("PINGAN_DATABASE_URL", url)
        get_settings.cache_clear()
        yield cli


@pytest.fixture
def printed_db(printed: Callable[..., CliResult]) -> Iterator[Session]:
    """A session on the database the demo's first steps made (see ``printed``)."""
    db = make_engine(get_settings().resolved_database_url)
    with Session(db) as db_session:
        yield db_session
    db.dispose()


from tests.seeding import FULL, SCORES, fill  # noqa: E402


@pytest.fixture
def named(printed: Callable[..., CliResult], printed_db: Session) -> list[Household]:
    """Six households of 南关村 approved by the township in 2026: five clean, one with an open review item."""
    households = list(
        printed_db.scalars(
            select(Household).where(Household.village.has(name="南关村")).order_by(Household.code).limit(6)
        )
    )
    for index, household in enumerate(households[:5]):
        fill(printed_db, household, 2026, SCORES[index])
    fill(printed_db, households[5], 2026, FULL)
    record = printed_db.scalars(select(Record).where(Record.household_id == households[5].id)).first()
    assert record is not None
    printed_db.add(ReviewItem(record=record, field="item03_score", reason="weak_mark", confidence=0.3))
    printed_db.commit()
    for household in households:
        assert (
            household_status(printed_db, household, 2026, CampaignRules.defaults(2026, "清河区")).step
            == Step.named
        )
    return households


Cli = Callable[..., CliResult]
PASSWORD = "correct-horse-battery"


def add_user(cli: Cli, monkeypatch: pytest.MonkeyPatch, login: str, role: str, unit: str | None) -> str:
    """Add an account through the CLI and return a fresh API token for it."""
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    args = ["users", "add", login, "--role", role, "--name", login, "--password-stdin"]
    added = cli(*args, *(["--unit", unit] if unit else []))
    assert added.code == 0, added.err
    token = cli("users", "token", login, "--label", "测试").out.split()[0]
    assert token.startswith("pa_")
    return token


def auth(token: str) -> dict[str, str]:
    """Return the header that carries an API token."""
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Api:
    """The app under test, its client and a token per role (district, township, village)."""

    client: Any
    tokens: dict[str, str]

    def __iter__(self) -> Iterator[Any]:
        return iter((self.client, self.tokens))

    def headers(self, role: str) -> dict[str, str]:
        """Return the auth header of one role's account."""
        return auth(self.tokens[role])

    def finished(self, job: dict[str, Any], role: str = "district", timeout: float = 300) -> dict[str, Any]:
        """Wait for a job to end and return it as the API shows it."""
        self.client.app.state.runner.wait(job["id"], timeout)
        shown: dict[str, Any] = self.client.get(
            f"/api/v1/jobs/{job['id']}", headers=self.headers(role)
        ).json()
        return shown


@pytest.fixture
def api(printed: Cli, monkeypatch: pytest.MonkeyPatch) -> Api:
    """The app on the demo's first steps, with a district, a township and a village account."""
    from fastapi.testclient import TestClient

    from service.server import create_app

    monkeypatch.setenv("PINGAN_JOB_WORKERS", "1")
    get_settings.cache_clear()
    tokens = {
        "district": add_user(printed, monkeypatch, "qinghe", "district", None),
        "township": add_user(printed, monkeypatch, "chengguan", "township", "城关镇"),
        "village": add_user(printed, monkeypatch, "nanguan", "village", "南关村"),
    }
    return Api(TestClient(create_app(get_settings())), tokens)
