"""Signed and audited decisions: who decided and who wrote the note, and when; every change
kept with its old value; two reviewers who disagree are both kept and shown as a conflict.

Runs on SQLite and, with ``JIXIAO_TEST_PG_URL``, on PostgreSQL."""

from __future__ import annotations

from jixiao.models import Finding
from jixiao.store import DecisionStore, decision_key
from store_backends import store_url

__all__ = ["store_url"]  # a fixture, imported for pytest

F = Finding(
    check="vague-actual",
    severity="warning",
    project="业务培训",
    kind="self_evaluation",
    message="只写了达成指标",
    lines=[120],
    source="/data/报表.txt",
)
K = decision_key(F)


def test_decisions_and_notes_are_signed(store_url: str) -> None:
    with DecisionStore(store_url, user="甲") as a, DecisionStore(store_url, user="乙") as b:
        a.record(F, "confirmed", reason="数值缺失")
        d = b.set_note(F, "已电话询问单位")
        assert (d.decision, d.decided_by, d.noted_by) == ("confirmed", "甲", "乙"), "a note does not take the decision"
        assert d.noted_at is not None and d.decided_at is not None


def test_audit_trail_keeps_every_old_value(store_url: str) -> None:
    with DecisionStore(store_url, user="甲") as a, DecisionStore(store_url, user="乙") as b:
        a.record(F, "confirmed", reason="数值缺失")
        a.set_note(F, "待复核")
        b.set_note(F, "复核完毕")
        a.record(F, None)
        trail = [(c.field, c.old, c.new, c.by) for c in b.audit([K])]
        assert trail == [
            ("decision", None, "confirmed", "甲"),
            ("reason", None, "数值缺失", "甲"),
            ("note", None, "待复核", "甲"),
            ("note", "待复核", "复核完毕", "乙"),
            ("decision", "confirmed", None, "甲"),
            ("reason", "数值缺失", None, "甲"),
        ]
        assert all(c.at for c in b.audit())


def test_two_reviewers_disagreeing_is_a_conflict_never_an_overwrite(store_url: str) -> None:
    with DecisionStore(store_url, user="甲") as a, DecisionStore(store_url, user="乙") as b:
        a.record(F, "confirmed", reason="数值缺失")
        assert not a.get(F).conflict  # type: ignore[union-attr]
        d = b.record(F, "dismissed", reason="口径不同")
        assert d.conflict and d.decision == "dismissed"
        seen_by_a = a.get(F)
        assert seen_by_a is not None and seen_by_a.conflict and seen_by_a.decided_by == "乙"
        held = {(o.user, o.decision, o.reason) for o in a.opinions(K)}
        assert held == {("甲", "confirmed", "数值缺失"), ("乙", "dismissed", "口径不同")}, "甲's word stays"
        assert list(a.conflicts()) == [K]
        assert a.all_opinions([K])[K] == a.opinions(K)
        # they agree: no conflict; one withdraws: none either
        b.record(F, "confirmed")
        assert not a.get(F).conflict  # type: ignore[union-attr]
        b.record(F, "dismissed")
        assert a.get(F).conflict  # type: ignore[union-attr]
        b.record(F, None)
        assert not a.get(F).conflict and [o.user for o in a.opinions(K)] == ["甲"]  # type: ignore[union-attr]
        # a note never touches the opinions
        b.set_note(F, "看过")
        assert [o.user for o in a.opinions(K)] == ["甲"] and a.conflicts() == {}
