#!/usr/bin/env bash
# Run the test suite: every test on SQLite, and at the same time every test that uses a database on
# PostgreSQL (a fresh schema per test). PINGAN_TEST_POSTGRES_URL chooses the server; when none
# answers the PostgreSQL pass is skipped with a notice, or fails if PINGAN_REQUIRE_POSTGRES=1 (CI).
set -uo pipefail
PYTHON=${PYTHON:-.venv/bin/python}
PG_URL=${PINGAN_TEST_POSTGRES_URL:-postgresql+psycopg://127.0.0.1:5432/test}
LOG=$(mktemp -t pingan-postgres-tests.XXXXXX)

if "$PYTHON" - "$PG_URL" <<'PY' 2>/dev/null
import sys
from sqlalchemy import create_engine, text
with create_engine(sys.argv[1], connect_args={"connect_timeout": 3}).connect() as c:
    c.execute(text("select 1"))
PY
then
  echo "PostgreSQL：$PG_URL 可用，数据库相关的测试在 PostgreSQL 上同时运行（输出见最后）。"
  PINGAN_TEST_DATABASE_URL="$PG_URL" "$PYTHON" -m pytest -m db -q -p no:cacheprovider >"$LOG" 2>&1 &
  PG_PID=$!
else
  if [ "${PINGAN_REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "PostgreSQL 不可用：$PG_URL（PINGAN_REQUIRE_POSTGRES=1）" >&2
    exit 1
  fi
  echo "提示：PostgreSQL 不可用（$PG_URL），只在 SQLite 上运行测试；设置 PINGAN_TEST_POSTGRES_URL 指定服务器。"
  PG_PID=""
fi

"$PYTHON" -m pytest
SQLITE_RC=$?
[ $SQLITE_RC -eq 5 ] && echo "pytest 没有收集到任何测试"

PG_RC=0
if [ -n "$PG_PID" ]; then
  wait "$PG_PID"
  PG_RC=$?
  echo "== PostgreSQL 上的测试 =="
  cat "$LOG"
fi
rm -f "$LOG"
[ $SQLITE_RC -eq 0 ] && [ $PG_RC -eq 0 ]
