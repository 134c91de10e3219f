"""Every year's forms in the store: what the checks across years (``checks.history``) look
back at. A form is kept once (its file's name and its content make its fingerprint); the
same file read again adds nothing, an edited one adds its new forms."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import insert, select

from ..models import Document, Form
from .decisions import DecisionStore
from .records import now
from .schema import forms


@dataclass(frozen=True)
class Archived:
    """A form of the store, with the file it came from."""

    id: int
    source: str
    form: Form


def fingerprint(source: str, form: Form) -> str:
    body = f"{PurePath(source).name}\x1f{form.model_dump_json()}"
    return hashlib.sha1(body.encode()).hexdigest()


@dataclass(frozen=True)
class FormKeys:
    """What a form is looked up by: the checks compute these (so store and checks agree)."""

    project: str
    unit: str  # 实施单位, else 主管部门
    amount: float | None  # the main amount (申请总额 / 全年预算数)


class FormArchive:
    def __init__(self, store: DecisionStore, describe: Callable[[Form], FormKeys]) -> None:
        self.store = store
        self.describe = describe

    def add(self, docs: Sequence[Document]) -> int:
        """Keep the forms of ``docs``; answers how many were new."""
        rows = []
        for doc in docs:
            for form in doc.forms:
                if form.failed:
                    continue
                keys = self.describe(form)
                rows.append(
                    {
                        "fingerprint": fingerprint(doc.source, form),
                        "source": doc.source,
                        "first_line": form.first_line,
                        "year": form.year,
                        "kind": form.kind,
                        "project": form.project_name,
                        "project_key": keys.project,
                        "unit_key": keys.unit,
                        "amount": keys.amount,
                        "data": zlib.compress(form.model_dump_json().encode(), 1),
                        "added_at": now(),
                    }
                )
        if not rows:
            return 0
        with self.store.transaction() as conn:
            have = {
                r[0]
                for r in conn.execute(
                    select(forms.c.fingerprint).where(forms.c.fingerprint.in_([r["fingerprint"] for r in rows]))
                )
            }
            new = [r for r in {r["fingerprint"]: r for r in rows}.values() if r["fingerprint"] not in have]
            if new:
                conn.execute(insert(forms), new)
        return len(new)

    def of_project(self, project_keys: Iterable[str]) -> list[Archived]:
        """Every kept form of these projects (any year)."""
        keys = sorted(set(project_keys))
        if not keys:
            return []
        return self._load(select(forms.c.id, forms.c.source, forms.c.data).where(forms.c.project_key.in_(keys)))

    def of_units(self, unit_years: Iterable[tuple[str, int | None]]) -> list[Archived]:
        """Every kept form of these (unit, year)s."""
        out: list[Archived] = []
        for unit, year in sorted(set(unit_years), key=str):
            if not unit or year is None:
                continue
            q = select(forms.c.id, forms.c.source, forms.c.data).where(forms.c.unit_key == unit, forms.c.year == year)
            out += self._load(q)
        return out

    def count(self) -> int:
        from sqlalchemy import func

        with self.store.reading() as conn:
            return int(conn.execute(select(func.count()).select_from(forms)).scalar_one())

    def _load(self, query: object) -> list[Archived]:
        with self.store.reading() as conn:
            rows = conn.execute(query.order_by(forms.c.id)).all()  # type: ignore[attr-defined]
        return [Archived(r[0], r[1], Form.model_validate_json(zlib.decompress(r[2]))) for r in rows]
