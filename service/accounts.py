"""Accounts and access (账号与权限): users bound to a unit, passwords hashed with argon2, API tokens.

A district user sees the whole district, a township clerk the township's villages, a village clerk
the village. Every route asks :func:`require_scope` before it reads or changes anything of a unit.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import audit, review, units
from service.db.models import AdminUnit, ApiToken, Household, ReviewItem, Role, Sheet, UnitLevel, User
from service.errors import Conflict, Forbidden, InputFileError, NotAuthenticated, NotFound

MIN_PASSWORD = 10
TOKEN_PREFIX = "pa_"
_hasher = PasswordHasher()
ROLE_LEVEL = {
    Role.district: UnitLevel.district,
    Role.township: UnitLevel.township,
    Role.village: UnitLevel.village,
}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(
    session: Session, login: str, name: str, role: Role, unit_name: str | None, password: str, actor: str
) -> User:
    """Create a user bound to a unit of the role's level (the district for district users)."""
    login = login.strip()
    if not login or not login.isascii() or " " in login:
        raise InputFileError(
            f"登录名“{login}”不可用。", hint="登录名请用英文字母、数字或下划线，如 chengguan01。"
        )
    if session.scalars(select(User).where(User.login == login)).first() is not None:
        raise Conflict(
            f"登录名 {login} 已被使用。", hint="请换一个登录名，或用 pingan users list 查看已有账号。"
        )
    if len(password) < MIN_PASSWORD:
        raise InputFileError(f"密码至少需要 {MIN_PASSWORD} 个字符。")
    level = ROLE_LEVEL[role]
    if level == UnitLevel.district:
        unit = units.get_district(session)
    else:
        if not unit_name:
            raise InputFileError(f"{role.label}账号需要用 --unit 指定所属单位。")
        unit = units.find_unit(session, unit_name, level)
    user = User(
        login=login,
        name=name.strip() or login,
        role=role.value,
        unit=unit,
        password_hash=_hasher.hash(password),
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor=actor, action="user.add", entity="user", key=login,
        new={"name": user.name, "role": role.label, "unit": unit.name},
    )  # fmt: skip
    return user


def find_user(session: Session, login: str) -> User:
    """Return a user by login name, or say how to list them."""
    user = session.scalars(select(User).where(User.login == login)).first()
    if user is None:
        raise NotFound(f"没有登录名为 {login} 的账号。", hint="请用 pingan users list 查看已有账号。")
    return user


def disable_user(session: Session, login: str, actor: str) -> User:
    """Disable a user and revoke their tokens (kept for the audit trail, never deleted)."""
    user = find_user(session, login)
    user.active = False
    for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.revoked = True
    audit.record(
        session,
        actor=actor,
        action="user.disable",
        entity="user",
        key=login,
        old={"active": True},
        new={"active": False},
    )
    session.flush()
    return user


def authenticate(session: Session, login: str, password: str) -> User:
    """Return the active user whose password this is; the same message for every failure."""
    user = session.scalars(select(User).where(User.login == login)).first()
    try:
        if user is None or not user.active or not _hasher.verify(user.password_hash, password):
            raise NotAuthenticated("登录名或密码不对。")
    except (VerificationError, InvalidHashError):
        raise NotAuthenticated("登录名或密码不对。") from None
    return user


def issue_token(session: Session, login: str, label: str, actor: str) -> str:
    """Issue an API token for a user; the token is shown once and only its digest is kept."""
    user = find_user(session, login)
    if not user.active:
        raise Conflict(f"账号 {login} 已停用，不能发放令牌。")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user=user, digest=_digest(token), label=label.strip() or "脚本"))
    audit.record(session, actor=actor, action="token.issue", entity="user", key=login, new={"label": label})
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User:
    """Return the active user an API token acts as."""
    found = session.scalars(select(ApiToken).where(ApiToken.digest == _digest(token))).first()
    if found is None or found.revoked or not found.user.active:
        raise NotAuthenticated(
            "接口令牌无效或已停用。", hint="请向区妇联管理员申请新的令牌（pingan users token）。"
        )
    return found.user


def village_ids(user: User) -> set[int]:
    """Return the ids of the villages a user may see."""
    return {village.id for village in units.villages_of(user.unit)}


def require_unit(user: User, unit: AdminUnit) -> None:
    """Refuse a unit outside the user's own (a village clerk asking about another village)."""
    allowed = village_ids(user)
    if not {v.id for v in units.villages_of(unit)} <= allowed:
        raise Forbidden(f"{user.unit.name}的账号无权查看{unit.name}的数据。")


def require_household(user: User, household: Household) -> None:
    """Refuse a household outside the user's villages."""
    if household.village_id not in village_ids(user):
        raise Forbidden(f"{user.unit.name}的账号无权查看该户。")


def review_item(session: Session, user: User, item_id: int) -> ReviewItem:
    """Return a review item of the user's villages (by the village its sheet was printed for)."""
    item = review.get_item(session, item_id)
    sheet = session.get(Sheet, item.record.serial)
    if sheet is None or sheet.village_id not in village_ids(user):
        raise Forbidden(f"{user.unit.name}的账号无权处理该复核项。")
    return item


def review_queue(
    session: Session, user: User, village: str | None = None, reason: str | None = None
) -> list[review.QueueLine]:
    """Return the open review items of the user's villages, lowest confidence first."""
    if village:
        require_unit(user, units.find_unit(session, village, UnitLevel.village))
    allowed = village_ids(user)
    lines = []
    for line in review.queue(session, village, reason):
        sheet = session.get(Sheet, line.item.record.serial)
        if sheet is not None and sheet.village_id in allowed:
            lines.append(line)
    return lines
