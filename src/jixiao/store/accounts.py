"""Accounts of a team store: users with a role, password checks with a lockout, browser
sessions, batches (runs) assigned to reviewers, and a lead's sign-off.

Passwords are hashed with argon2id (argon2-cffi); a web session's token is kept only as its
SHA-256, so a copy of the database lets nobody in. Five failed logins in a row lock an
account for fifteen minutes (the count and the lock are in the database: they hold across
server restarts and across the servers of one team store).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import delete, insert, select, update

from ..errors import InputError
from .decisions import DecisionStore
from .records import now
from .schema import assignments, signoffs, users, web_sessions

Role = Literal["reviewer", "lead"]
ROLES: tuple[str, ...] = ("reviewer", "lead")
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=12)
MIN_PASSWORD = 8
_NAME = re.compile(r"^[\w.\-@\u4e00-\u9fff]{1,64}$")


class LoginRefused(Exception):
    """A login that failed: ``locked`` when the account is locked (the message says until when)."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"


@dataclass(frozen=True)
class Session:
    token: str  # only known right after login (the cookie); "" when read back
    user: User
    csrf: str
    expires_at: str


@dataclass(frozen=True)
class Signoff:
    run_id: str
    signed_by: str
    signed_at: str
    note: str | None


def _hasher():  # type: ignore[no-untyped-def]
    try:
        from argon2 import PasswordHasher
    except ImportError as e:  # the team extra is not installed
        raise InputError("账户功能需要 argon2-cffi：请安装 jixiao[team]") from e
    return PasswordHasher()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="seconds")


class Accounts:
    """Users, sessions, assignments and sign-offs, in the tables of ``store``."""

    def __init__(self, store: DecisionStore) -> None:
        self.store = store
        self._dummy: str | None = None

    # -- users
    def add_user(self, name: str, role: str, password: str) -> User:
        name = name.strip()
        if not _NAME.match(name):
            raise InputError(f"用户名 {name!r} 不可用：只能含文字、数字及 . - _ @，最长 64 个字符")
        if role not in ROLES:
            raise InputError(f"角色 {role!r} 不对：应为 reviewer（审核人）或 lead（负责人）")
        if len(password) < MIN_PASSWORD:
            raise InputError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
        digest = _hasher().hash(password)
        with self.store.transaction() as conn:
            if conn.execute(select(users.c.name).where(users.c.name == name)).first() is not None:
                raise InputError(f"用户 {name} 已存在")
            conn.execute(
                insert(users).values(
                    name=name, role=role, password_hash=digest, created_at=now(), failed_logins=0, locked_until=None
                )
            )
        return User(name, role)  # type: ignore[arg-type]

    def user(self, name: str) -> User | None:
        with self.store.reading() as conn:
            row = conn.execute(select(users.c.name, users.c.role).where(users.c.name == name)).first()
        return User(row[0], row[1]) if row else None

    def users(self) -> list[User]:
        with self.store.reading() as conn:
            rows = conn.execute(select(users.c.name, users.c.role).order_by(users.c.name)).all()
        return [User(r[0], r[1]) for r in rows]

    def count(self) -> int:
        return len(self.users())

    # -- logging in
    def login(self, name: str, password: str) -> Session:
        """A new session for a right name and password; ``LoginRefused`` otherwise (one
        message for a wrong name and a wrong password: which names exist is not told)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        ph = _hasher()
        with self.store.reading() as conn:
            row = conn.execute(
                select(users.c.role, users.c.password_hash, users.c.locked_until).where(users.c.name == name)
            ).first()
        if row is None:
            if self._dummy is None:
                self._dummy = ph.hash(secrets.token_hex(16))
            try:  # as slow as a real check
                ph.verify(self._dummy, password)
            except VerificationError:
                pass
            raise LoginRefused("用户名或密码不正确")
        role, digest, locked_until = row
        if locked_until and locked_until > now():
            raise LoginRefused(f"登录失败次数过多，账户已锁定至 {_local(locked_until)}，请稍后再试", locked=True)
        try:
            ph.verify(digest, password)
        except (VerificationError, InvalidHashError):
            self._failed(name)
            raise LoginRefused("用户名或密码不正确") from None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = _at(SESSION_TTL)
        with self.store.transaction() as conn:
            conn.execute(update(users).where(users.c.name == name).values(failed_logins=0, locked_until=None))
            if ph.check_needs_rehash(digest):
                conn.execute(update(users).where(users.c.name == name).values(password_hash=ph.hash(password)))
            conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now()))
            conn.execute(
                insert(web_sessions).values(
                    token_hash=_token_hash(token), user_name=name, csrf=csrf, created_at=now(), expires_at=expires
                )
            )
        return Session(token, User(name, role), csrf, expires)

    def _failed(self, name: str) -> None:
        with self.store.transaction() as conn:
            failures = conn.execute(select(users.c.failed_logins).where(users.c.name == name)).scalar_one() + 1
            values: dict[str, object] = {"failed_logins": failures}
            if failures >= MAX_FAILURES:
                values = {"failed_logins": 0, "locked_until": _at(LOCKOUT)}
            conn.execute(update(users).where(users.c.name == name).values(values))

    def session(self, token: str | None) -> Session | None:
        """The live session of a cookie's token (None: none, or expired)."""
        if not token:
            return None
        with self.store.reading() as conn:
            row = conn.execute(
                select(web_sessions.c.user_name, users.c.role, web_sessions.c.csrf, web_sessions.c.expires_at)
                .join(users, users.c.name == web_sessions.c.user_name)
                .where(web_sessions.c.token_hash == _token_hash(token))
            ).first()
        if row is None or row[3] <= now():
            return None
        return Session("", User(row[0], row[1]), row[2], row[3])

    def logout(self, token: str | None) -> None:
        if token:
            with self.store.transaction() as conn:
                conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == _token_hash(token)))

    # -- batches
    def assign(self, run_id: str, user_name: str, by: str | None) -> None:
        with self.store.transaction() as conn:
            exists = conn.execute(
                select(assignments.c.run_id).where(assignments.c.run_id == run_id, assignments.c.user_name == user_name)
            ).first()
            if exists is None:
                conn.execute(
                    insert(assignments).values(run_id=run_id, user_name=user_name, assigned_by=by, assigned_at=now())
                )

    def unassign(self, run_id: str, user_name: str) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                delete(assignments).where(assignments.c.run_id == run_id, assignments.c.user_name == user_name)
            )

    def assigned(self, run_id: str) -> list[str]:
        with self.store.reading() as conn:
            rows = conn.execute(
                select(assignments.c.user_name).where(assignments.c.run_id == run_id).order_by(assignments.c.user_name)
            ).all()
        return [r[0] for r in rows]

    def assignments(self) -> dict[str, list[str]]:
        """Every batch with its reviewers."""
        out: dict[str, list[str]] = {}
        with self.store.reading() as conn:
            for run_id, name in conn.execute(
                select(assignments.c.run_id, assignments.c.user_name).order_by(
                    assignments.c.run_id, assignments.c.user_name
                )
            ):
                out.setdefault(run_id, []).append(name)
        return out

    def runs_of(self, user_name: str) -> list[str]:
        with self.store.reading() as conn:
            rows = conn.execute(
                select(assignments.c.run_id)
                .where(assignments.c.user_name == user_name)
                .order_by(assignments.c.assigned_at.desc())
            ).all()
        return [r[0] for r in rows]

    def may_see(self, user: User, run_id: str) -> bool:
        """A lead sees every batch; a reviewer those assigned to them (their own uploads too)."""
        return user.is_lead or user.name in self.assigned(run_id)

    def sign_off(self, run_id: str, by: User, note: str | None = None) -> Signoff:
        if not by.is_lead:
            raise PermissionError("only a lead signs off a batch")
        stamp = now()
        with self.store.transaction() as conn:
            conn.execute(delete(signoffs).where(signoffs.c.run_id == run_id))
            conn.execute(insert(signoffs).values(run_id=run_id, signed_by=by.name, signed_at=stamp, note=note))
        return Signoff(run_id, by.name, stamp, note)

    def signoff(self, run_id: str) -> Signoff | None:
        with self.store.reading() as conn:
            row = conn.execute(
                select(signoffs.c.run_id, signoffs.c.signed_by, signoffs.c.signed_at, signoffs.c.note).where(
                    signoffs.c.run_id == run_id
                )
            ).first()
        return Signoff(*row) if row else None


def _local(stamp: str) -> str:
    """An ISO time in UTC as the reviewer's clock shows it (HH:MM)."""
    return datetime.fromisoformat(stamp).astimezone().strftime("%H:%M")
