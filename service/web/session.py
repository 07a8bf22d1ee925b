"""The workbench's sessions (会话): signed cookies, CSRF tokens, login limits and error pages.

(No ``from __future__ import annotations`` here: FastAPI reads the signatures at run time.)
"""

import html
import secrets
import time
from collections import deque
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from service.db.models import User
from service.errors import Forbidden, NotAuthenticated, PinganError

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


class LoginLimiter:
    """At most ``attempts`` failed logins per address and login name within ``window`` seconds."""

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def blocked(self, address: str, login: str) -> bool:
        """Whether this address may not try this login name again yet."""
        recent = self._failures.get((address, login))
        now = time.monotonic()
        while recent and now - recent[0] > self.window:
            recent.popleft()
        return recent is not None and len(recent) >= self.attempts

    def failed(self, address: str, login: str) -> None:
        """Count one failed attempt."""
        self._failures.setdefault((address, login), deque()).append(time.monotonic())

    def succeeded(self, address: str, login: str) -> None:
        """Forget the failures once the right password is given."""
        self._failures.pop((address, login), None)


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, sent: str) -> None:
    """Refuse a form whose CSRF token is not this session's."""
    if not sent or not secrets.compare_digest(sent, str(request.session.get("csrf", ""))):
        raise Forbidden("表单已过期或来源不明，请刷新页面后重试。")


def page_user(request: Request, session: Session) -> User | None:
    """Return the signed-in, active user of this browser session, if any."""
    user_id = request.session.get("user")
    user = session.get(User, user_id) if user_id else None
    return user if user is not None and user.active else None


def signed_in(request: Request, session: Session) -> User:
    """Return the signed-in user or refuse the request."""
    user = page_user(request, session)
    if user is None:
        raise NotAuthenticated("请先登录。", hint="打开 /login 登录。")
    return user


def page_error(request: Request, exc: PinganError) -> Response:
    """Show a domain error on a page in Chinese (the API keeps its JSON); send strangers to the login."""
    if exc.http_status == 401 and request.method == "GET":
        return RedirectResponse("/login", status_code=303)
    body = (
        "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>出错了</title>"
        f"<p>{html.escape(exc.message)}</p><p>{html.escape(exc.hint or '')}</p><p><a href='/'>返回</a></p></html>"
    )
    return HTMLResponse(body, status_code=exc.http_status)
