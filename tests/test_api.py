"""The HTTP service through FastAPI's TestClient: tokens, and every route's unit scope."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from service.db.models import Household
from service.settings import get_settings
from tests.conftest import PASSWORD, Api, Cli, CliResult, add_user, auth


def test_tokens_are_required_and_checked(api: Api, printed: Cli) -> None:
    client, tokens = api
    for headers in ({}, {"Authorization": "Bearer pa_forged"}, {"Authorization": "Basic x"}):
        answer = client.get("/api/v1/me", headers=headers)
        assert answer.status_code == 401 and answer.json()["code"] == "not_authenticated"
    me = client.get("/api/v1/me", headers=auth(tokens["township"])).json()
    assert me == {"login": "chengguan", "name": "chengguan", "role": "township", "unit": "城关镇"}
    assert printed("users", "disable", "chengguan").code == 0
    assert client.get("/api/v1/me", headers=auth(tokens["township"])).status_code == 401


def test_every_route_keeps_to_the_callers_units(api: Api, printed_db: Session) -> None:
    from sqlalchemy import select

    client, tokens = api
    other = printed_db.scalars(select(Household).where(Household.village.has(name="北街社区"))).first()
    own = printed_db.scalars(select(Household).where(Household.village.has(name="南关村"))).first()
    far = printed_db.scalars(select(Household).where(Household.village.has(name="东湖社区"))).first()
    assert other and own and far
    village, township, district = (auth(tokens[k]) for k in ("village", "township", "district"))
    # units
    assert [u["name"] for u in client.get("/api/v1/units", headers=village).json()] == ["南关村"]
    assert {u["name"] for u in client.get("/api/v1/units", headers=township).json()} == {
        "城关镇",
        "南关村",
        "北街社区",
        "西郊村",
    }
    assert len(client.get("/api/v1/units", headers=district).json()) == 1 + 3 + 9
    # household lists
    mine = client.get("/api/v1/households", headers=village).json()
    assert len(mine) == 38 and {h["village"] for h in mine} == {"南关村"}
    assert all("****" in h["phone"] or not h["phone"] for h in mine)
    for query, expected in (
        ({"village": "北街社区"}, 403),
        ({"township": "柳林镇"}, 403),
        ({"village": "南关村"}, 200),
    ):
        assert client.get("/api/v1/households", params=query, headers=village).status_code == expected
    assert len(client.get("/api/v1/households", headers=township).json()) == 108
    assert (
        client.get("/api/v1/households", params={"township": "东湖街道"}, headers=township).status_code == 403
    )
    assert len(client.get("/api/v1/households", params={"limit": 5000}, headers=district).json()) == 324
    # one household
    assert client.get(f"/api/v1/households/{own.code}", headers=village).json()["years"][0]["year"] == 2026
    refused = client.get(f"/api/v1/households/{other.code}", headers=village)
    assert (
        refused.status_code == 403
        and refused.json()["code"] == "forbidden"
        and "南关村" in refused.json()["message"]
    )
    assert client.get(f"/api/v1/households/{other.code}", headers=township).status_code == 200
    assert client.get(f"/api/v1/households/{far.code}", headers=township).status_code == 403
    assert client.get(f"/api/v1/households/{far.code}", headers=district).status_code == 200
    assert client.get("/api/v1/households/000-0000", headers=district).status_code == 404
    # status
    rows = client.get("/api/v1/status", params={"year": 2026}, headers=village).json()
    assert [r["village"] for r in rows] == ["南关村"] and rows[0]["registered"] == 38
    assert len(client.get("/api/v1/status", params={"year": 2026}, headers=district).json()) == 9
    assert (
        client.get(
            "/api/v1/status", params={"year": 2026, "township": "柳林镇"}, headers=township
        ).status_code
        == 403
    )
    assert client.get("/api/v1/status", params={"year": 2030}, headers=district).status_code == 404
    assert client.get("/api/v1/status", params={"year": 1999}, headers=district).status_code == 422


def test_health_reports_the_database_and_tools(api: Api) -> None:
    client, _ = api
    health = client.get("/health").json()
    assert health["database_current"] is True and health["ok"] is True
    assert (
        health["database"] in ("sqlite", "postgresql")
        and health["jobs"] == "local"
        and health["workers"] is None
    )
    names = {t["name"] for t in health["tools"]}
    assert any("tesseract" in n for n in names) and any("LibreOffice" in n for n in names)
    assert all(t["version"] for t in health["tools"] if t["found"])
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/households", "/api/v1/households/{code}", "/api/v1/status", "/health"} <= set(
        schema["paths"]
    )


def test_accounts_are_validated(printed: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    def add(*args: str, password: str = PASSWORD) -> CliResult:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        return printed("users", "add", *args, "--password-stdin")

    assert add("a1", "--role", "village", "--unit", "城关镇").code == 4  # a township is not a village
    assert "至少需要 10 个字符" in add("a2", "--role", "district", password="short").err
    assert "没有“boss”这种角色" in add("a3", "--role", "boss").err
    assert add("a4", "--role", "township", "--unit", "城关镇").code == 0
    assert "已被使用" in add("a4", "--role", "township", "--unit", "城关镇").err
    listing = printed("users", "list").out
    assert "a4" in listing and "乡镇（街道）妇联" in listing
    from sqlalchemy import select

    from service.db.models import User
    from service.db.session import make_engine

    with Session(make_engine(get_settings().resolved_database_url)) as session:
        stored = session.scalars(select(User).where(User.login == "a4")).one().password_hash
    assert stored.startswith("$argon2") and PASSWORD not in stored


def test_the_review_queue_over_http(
    api: Api, printed: Cli, monkeypatch: pytest.MonkeyPatch, printed_db: Session
) -> None:
    from sqlalchemy import select

    from service.db.models import AuditEntry
    from tests.conftest import SAMPLES

    assert printed("scans", "ingest", SAMPLES / "scans", "--workers", "1").code == 0
    client, tokens = api
    other = auth(add_user(printed, monkeypatch, "beijie", "village", "北街社区"))
    village, township = auth(tokens["village"]), auth(tokens["township"])
    queue = client.get("/api/v1/review", headers=village).json()
    assert queue and {item["village"] for item in queue if item["village"]} == {"南关村"}
    assert [i["confidence"] for i in queue] == sorted(i["confidence"] for i in queue)  # lowest first
    assert client.get("/api/v1/review", headers=township).json() == queue
    assert client.get("/api/v1/review", headers=other).json() == []
    assert client.get("/api/v1/review", params={"village": "南关村"}, headers=other).status_code == 403
    first = queue[0]
    for path in (f"/api/v1/review/{first['id']}", f"/api/v1/review/{first['id']}/crop"):
        assert client.get(path, headers=other).status_code == 403
    assert client.post(f"/api/v1/review/{first['id']}/accept", headers=other).status_code == 403
    with_crop = next(i for i in queue if i["crop_url"])
    image = client.get(with_crop["crop_url"], headers=village)
    assert (
        image.status_code == 200
        and image.headers["content-type"] == "image/png"
        and image.content[:4] == b"\x89PNG"
    )
    accepted = client.post(f"/api/v1/review/{first['id']}/accept", headers=village).json()
    assert accepted["status"] == "accepted"
    again = client.post(f"/api/v1/review/{first['id']}/accept", headers=village)
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    bubble = next(i for i in queue[1:] if i["reason"] in ("blank", "double_mark", "weak_mark", "erased_mark"))
    wrong = client.post(f"/api/v1/review/{bubble['id']}/set", json={"value": "十一"}, headers=township)
    assert wrong.status_code == 422 and "不是" in wrong.json()["message"] and wrong.json()["hint"]
    assert (
        client.post(f"/api/v1/review/{bubble['id']}/set", json={"value": "空"}, headers=township).json()[
            "status"
        ]
        == "set"
    )
    other_item = next(i for i in queue[1:] if i["id"] != bubble["id"])
    assert (
        client.post(
            f"/api/v1/review/{other_item['id']}/reject", json={"why": ""}, headers=village
        ).status_code
        == 422
    )
    rejected = client.post(
        f"/api/v1/review/{other_item['id']}/reject", json={"why": "退回重填"}, headers=village
    )
    assert rejected.json()["status"] == "rejected"
    actors = set(printed_db.scalars(select(AuditEntry.actor).where(AuditEntry.source.like("复核%"))))
    assert actors == {"nanguan", "chengguan"}


def test_the_audit_log_is_for_the_district(api: Api) -> None:
    client, tokens = api
    assert client.get("/api/v1/audit", headers=auth(tokens["township"])).status_code == 403
    entries = client.get("/api/v1/audit", params={"entity": "user"}, headers=auth(tokens["district"])).json()
    assert [e["action"] for e in entries][:2] == ["token.issue", "user.add"]  # newest first
    assert {e["key"] for e in entries} == {"qinghe", "chengguan", "nanguan"}
    household = client.get(
        "/api/v1/audit", params={"entity": "household", "limit": 1}, headers=auth(tokens["district"])
    )
    assert household.status_code == 200 and len(household.json()) == 1


def _csrf(page: str) -> str:
    import re

    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "no CSRF token in the form"
    return found.group(1)


def test_login_session_csrf_and_rate_limit(api: Api) -> None:
    client, _ = api
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    form = client.get("/login")
    assert form.status_code == 200 and "登录" in form.text and 'lang="zh-CN"' in form.text
    token = _csrf(form.text)
    forged = client.post("/login", data={"login": "nanguan", "password": PASSWORD, "csrf": "x"})
    assert forged.status_code == 403 and "表单已过期" in forged.text
    wrong = client.post("/login", data={"login": "nanguan", "password": "wrong-password", "csrf": token})
    assert wrong.status_code == 401 and "登录名或密码不对" in wrong.text
    done = client.post(
        "/login", data={"login": "nanguan", "password": PASSWORD, "csrf": token}, follow_redirects=False
    )
    assert done.status_code == 303
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    page = client.get("/")
    assert page.status_code == 200 and "南关村2026年“平安家庭”创建进度" in page.text
    assert "北街社区" not in page.text  # only the clerk's own village
    assert client.post("/logout", data={"csrf": "x"}).status_code == 403
    out = client.post("/logout", data={"csrf": _csrf(page.text)}, follow_redirects=False)
    assert out.status_code == 303 and client.get("/", follow_redirects=False).status_code == 303
    # five wrong passwords from one address lock that login name for a while, even with the right one
    token = _csrf(client.get("/login").text)
    for _ in range(5):
        assert (
            client.post(
                "/login", data={"login": "chengguan", "password": "nope-nope-nope", "csrf": token}
            ).status_code
            == 401
        )
    locked = client.post("/login", data={"login": "chengguan", "password": PASSWORD, "csrf": token})
    assert locked.status_code == 429 and "5 分钟后再试" in locked.text


def test_a_township_dashboard_shows_its_villages(api: Api) -> None:
    client, _ = api
    token = _csrf(client.get("/login").text)
    client.post("/login", data={"login": "chengguan", "password": PASSWORD, "csrf": token})
    page = client.get("/").text
    for village in ("南关村", "北街社区", "西郊村"):
        assert village in page
    assert "柳林村" not in page


def _login(client: TestClient, login: str) -> str:
    token = _csrf(client.get("/login").text)
    assert (
        client.post("/login", data={"login": login, "password": PASSWORD, "csrf": token}).status_code == 200
    )
    return _csrf(client.get("/").text)


def test_the_review_screen_settles_items_one_after_another(
    api: Api, printed: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    from tests.conftest import SAMPLES

    assert printed("scans", "ingest", SAMPLES / "scans", "--workers", "1").code == 0
    client, _ = api
    assert client.get("/review", follow_redirects=False).headers["location"] == "/login"
    csrf = _login(client, "nanguan")
    page = client.get("/review").text
    remaining = int(re.search(r"待处理 (\d+) 项", page).group(1))  # type: ignore[union-attr]
    assert remaining > 3 and 'id="item"' in page and "Enter" in page and "<script>" in page
    first = int(re.search(r'data-id="(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert client.post(f"/review/{first}", data={"action": "accept", "csrf": "forged"}).status_code == 403
    done = client.post(f"/review/{first}", data={"action": "accept", "csrf": csrf})
    assert done.status_code == 200 and f"复核项 {first} 已处理" in done.text
    assert f'data-id="{first}"' not in done.text  # settled (a rule it breaks may open a new item)
    second = int(re.search(r'data-id="(\d+)"', done.text).group(1))  # type: ignore[union-attr]
    assert second != first
    empty_reason = client.post(f"/review/{second}", data={"action": "reject", "why": " ", "csrf": csrf})
    assert empty_reason.status_code == 422 and "驳回请写明原因" in empty_reason.text
    if 'id="crop"' in done.text:
        assert client.get(f"/review/{second}/crop").headers["content-type"] == "image/png"
    # another village's clerk cannot touch it
    other = TestClient(client.app)
    add_user(printed, monkeypatch, "beijie", "village", "北街社区")
    other_csrf = _login(other, "beijie")
    assert "本单位没有待复核的栏目" in other.get("/review").text
    assert other.post(f"/review/{second}", data={"action": "accept", "csrf": other_csrf}).status_code == 403
    assert other.get(f"/review/{second}/crop").status_code == 403


def test_clerks_deciding_the_same_item_at_once_get_one_decision(
    api: Api, printed: Cli, printed_db: Session
) -> None:
    import threading

    from sqlalchemy import func, select

    from service.db.models import AuditEntry
    from tests.conftest import SAMPLES

    assert printed("scans", "ingest", SAMPLES / "scans", "--workers", "1").code == 0
    client, _ = api
    item = client.get("/api/v1/review", headers=api.headers("township")).json()[0]
    answers: list[int] = []

    def decide(role: str) -> None:
        answers.append(
            client.post(f"/api/v1/review/{item['id']}/accept", headers=api.headers(role)).status_code
        )

    threads = [
        threading.Thread(target=decide, args=(role,)) for role in ("township", "village", "district") * 3
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200] + [409] * 8, answers
    key = f"{item['serial']}/{item['field']}"
    decisions = printed_db.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.entity_key == key, AuditEntry.actor != "测试员")
    )
    assert decisions == 1


def test_a_decision_is_saved_before_the_answer_leaves(api: Api, printed: Cli) -> None:
    """The browser follows the redirect at once: the next page must not show the item still open."""
    import re

    from starlette.types import Message, Receive, Scope, Send

    from service.db.models import ReviewItem
    from tests.conftest import SAMPLES

    assert printed("scans", "ingest", SAMPLES / "scans", "--workers", "1").code == 0
    app = api.client.app
    seen: list[str] = []

    async def watched(scope: Scope, receive: Receive, send: Send) -> None:
        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start" and scope["method"] == "POST" and decided:
                with Session(app.state.engine) as fresh:  # what the browser's next request would read
                    seen.append(fresh.get(ReviewItem, decided[0]).status)  # type: ignore[union-attr]
            await send(message)

        await app(scope, receive, watching)

    decided: list[int] = []
    client = TestClient(watched)
    csrf = _login(client, "chengguan")
    decided.append(int(re.search(r'data-id="(\d+)"', client.get("/review").text).group(1)))  # type: ignore[union-attr]
    answer = client.post(
        f"/review/{decided[0]}", data={"action": "accept", "csrf": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert seen == ["accepted"]
