"""Scenarios: one factory per failure mode, composable with |, each describing itself."""

from __future__ import annotations

import pytest

from weekfour import scenarios
from weekfour.clock import SimClock, days
from weekfour.scenarios import Scenario
from weekfour.types import FaultWindow, LatencyProfile


def test_happy_changes_nothing_and_is_the_identity_of_composition() -> None:
    h = scenarios.happy()
    assert h == Scenario() and h.model_knobs() == {"hallucination_rate": 0.0, "loops": False,
                                                   "injection_susceptibility": 0.0}  # fmt: skip
    slow = scenarios.slow()
    assert (h | slow) == slow and (slow | h) == slow
    assert "everything works" in h.describe()


def test_each_factory_sets_its_own_knob() -> None:
    assert scenarios.hallucination(rate=0.4).hallucination_rate == 0.4
    assert scenarios.runaway().loops is True
    assert scenarios.injection(0.7).injection_susceptibility == 0.7
    slow = scenarios.slow(p50=3)
    assert slow.latency == LatencyProfile(ttft=3 - 80 * 0.02, per_output_token=0.02, jitter=0.35)
    assert slow.latency.ttft + 80 * slow.latency.per_output_token == pytest.approx(3.0)  # a typical answer: p50
    assert scenarios.rate_limited(rpm=10).rpm_limit == 10
    assert scenarios.model_update(at=days(2)).model_updates == (("wf-chat", "wf-chat-2026-06-01", days(2)),)


def test_composition_later_wins_on_conflicts_and_fault_lists_concatenate() -> None:
    a = scenarios.hallucination(rate=0.1) | scenarios.night_of_faults()
    b = scenarios.hallucination(rate=0.5) | scenarios.night_of_faults(night=1)
    both = a | b
    assert both.hallucination_rate == 0.5
    assert both.faults == a.faults + b.faults and len(both.faults) == 8
    assert (b | a).hallucination_rate == 0.1
    assert both.name == "hallucination(0.1) | night_of_faults | hallucination(0.5) | night_of_faults"
    extra = FaultWindow(0.0, 10.0, "server_error")
    assert scenarios.happy().with_faults(extra).faults == (extra,)
    with pytest.raises(TypeError):
        scenarios.happy() | 3


def test_the_night_of_faults_starts_at_2am_of_the_first_night_on_the_simulated_clock() -> None:
    clock = SimClock()
    faults = scenarios.night_of_faults().faults
    storm = faults[0]
    assert storm.kind == "rate_limit" and storm.retry_after is not None
    assert storm.start == clock.at(day=1, hour=2)
    assert [f.kind for f in faults] == ["rate_limit", "overloaded", "timeout", "insufficient_quota"]
    assert all(a.end <= b.start for a, b in zip(faults, faults[1:], strict=False))  # one trouble at a time
    assert all("wf-chat" in f.models and "wf-mini" not in f.models for f in faults)
    assert scenarios.night_of_faults(night=2).faults[0].start == clock.at(day=3, hour=2)


def test_the_production_month_has_all_five_failure_modes() -> None:
    month = scenarios.production_month()
    assert month.hallucination_rate > 0 and month.injection_susceptibility > 0  # 1
    assert month.loops  # 2
    assert month.latency is not None and month.latency.ttft + 80 * month.latency.per_output_token == pytest.approx(
        2.5
    )  # 3: slow, a typical answer takes 2.5 s
    assert {f.kind for f in month.faults} >= {"rate_limit", "overloaded", "timeout", "insufficient_quota"}  # 4
    assert month.model_updates and 0 < month.model_updates[0][2] < days(30)  # 5
    assert max(f.end for f in month.faults) < days(30)
    text = month.describe()
    assert text.startswith("Scenario: production_month")
    assert "day 1 02:00" in text and "points 'wf-chat' at 'wf-chat-2026-06-01'" in text


def test_scenarios_are_frozen_values() -> None:
    s = scenarios.runaway()
    with pytest.raises(AttributeError):
        s.loops = False  # type: ignore[misc]
    assert scenarios.runaway() == s and hash(s) == hash(scenarios.runaway())


def test_the_production_month_scales_to_the_days_asked_for() -> None:
    short = scenarios.production_month(10)
    assert short.days == 10 and "(10 simulated days)" in short.describe()
    assert max(f.end for f in short.faults) < days(10)
    ((_, _, at),) = short.model_updates
    assert days(4) < at < days(5)  # halfway through: calendar day 5 starts at 4 days 15 h after Monday 09:00
    backup_blips = [f for f in short.faults if f.models == scenarios.BACKUP_FAMILY]
    assert len(backup_blips) == 3 and {f.kind for f in backup_blips} == {"connection_error"}
    with pytest.raises(ValueError, match="at least 3 days"):
        scenarios.production_month(2)
