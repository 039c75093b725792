"""Notebook 04's widgets and displays: what a learner sees, and that it never shows a stale copy."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from weekfour.agent import Reply
from weekfour.labs import fallbacks
from weekfour.serving import Served
from weekfour.types import FaultWindow


def _reply(**changes: Any) -> Reply:
    return dataclasses.replace(Reply(question="q", answer="a", status="", data={}), **changes)


def test_served_shows_one_short_line_and_keeps_its_fields_and_equality() -> None:
    long = "Standard shipping takes 3-7 business days with UPS, DHL or USPS, and express takes one or two days."
    served = Served(long, "primary", _reply(steps=2, cost=0.003))
    text = repr(served)
    assert "\n" not in text and len(text) < 160
    assert text.startswith("Served(rung='primary', status=200, answer='Standard shipping")
    assert "…'" in text and "2 model calls" in text and "$0.0030" in text
    assert served.answer == long and served.reply is not None and served.reply.steps == 2
    assert served == Served(long, "primary", _reply(steps=2, cost=0.003)) != Served(long, "backup")
    assert repr(Served("sorry", "degraded")) == "Served(rung='degraded', status=200, answer='sorry', reply=None)"


@pytest.fixture(scope="module")
def whole_night() -> fallbacks.NightReport:
    sb = fallbacks.night_sandbox()
    return fallbacks.run_night(sb, fallbacks.naive_handler(sb.agent()), n=80, name="naive")


def test_rungs_by_window_is_in_time_order_without_axis_labels(whole_night: fallbacks.NightReport) -> None:
    table = fallbacks.rungs_by_window(whole_night)
    assert table is not None
    assert table.index.name is None and table.columns.name is None
    rows = list(table.index)
    assert rows[0] == "calm"
    assert (
        rows.index("429 storm 02:00–02:20")
        < rows.index("503 outage 03:00–03:30")
        < rows.index("quota exhausted 04:30–05:30")
    )


def test_500s_outside_the_windows_are_explained(whole_night: fallbacks.NightReport) -> None:
    note = fallbacks.outside_windows(whole_night)
    outside = whole_night.frame[
        (whole_night.frame["status"] >= 500)
        & ~whole_night.frame["t"].map(lambda t: any(w.start <= t < w.end for w in whole_night.windows))
    ]
    assert len(outside) >= 1
    assert note.startswith(f"naive: {len(outside)} of the 500s")
    assert "40,000-token paste" in note and "context_length_exceeded" in note
    calm = dataclasses.replace(whole_night, frame=whole_night.frame.iloc[0:0])
    assert fallbacks.outside_windows(calm) == "" and fallbacks.outside_windows(None) == ""


def test_a_500_that_is_not_a_paste_is_pointed_at(whole_night: fallbacks.NightReport) -> None:
    frame = whole_night.frame.copy()
    frame.loc[0, ["status", "kind"]] = [500, "status"]
    report = dataclasses.replace(whole_night, frame=frame, windows=(FaultWindow(1e9, 1e9 + 1, "overloaded"),))
    assert "report.frame[report.frame.status >= 500]" in fallbacks.outside_windows(report)


class _RecordingExplorer(fallbacks.FaultExplorer):
    """Replays nothing for real: records what the busy indicator said while each replay ran."""

    def __init__(self, report: fallbacks.NightReport, **kwargs: Any) -> None:
        super().__init__(n=10, **kwargs)
        self.report = report
        self.busy_during: list[Any] = []
        self.replayed: list[Any] = []
        self.in_background: list[bool] = []

    def _replay(self, mode: str, *, background: bool = False) -> list[fallbacks.NightReport]:
        self.replayed.append(mode)
        self.in_background.append(background)
        if self._widget is not None:
            self.busy_during.append((self._busy.value, self._dropdown.disabled))
        return [dataclasses.replace(self.report, name=mode)]


def test_the_explorer_opens_on_the_whole_night_with_its_label_in_full(whole_night: fallbacks.NightReport) -> None:
    explorer = _RecordingExplorer(whole_night, precompute=False)
    explorer.widget()
    assert explorer._dropdown.value == "the whole night" == explorer.modes[0]
    assert explorer._dropdown.style.description_width == "initial"
    assert [r.name for r in explorer.reports] == ["the whole night"]


def test_a_change_says_it_is_busy_then_answers_from_the_kept_replay(whole_night: fallbacks.NightReport) -> None:
    explorer = _RecordingExplorer(whole_night, precompute=False)
    explorer.widget()
    explorer._dropdown.value = "503 outage at 03:00"
    assert explorer.busy_during[-1] == ("⏳ replaying the night: 503 outage at 03:00…", True)
    assert explorer._busy.value == "" and not explorer._dropdown.disabled
    assert [r.name for r in explorer.reports] == ["503 outage at 03:00"]
    explorer._dropdown.value = "the whole night"
    explorer._dropdown.value = "503 outage at 03:00"
    assert explorer.replayed == ["the whole night", "503 outage at 03:00"]  # each mode once
    assert set(explorer._views) == {"the whole night", "503 outage at 03:00"}


def test_the_change_callback_returns_nothing_to_display(whole_night: fallbacks.NightReport) -> None:
    explorer = _RecordingExplorer(whole_night, precompute=False)
    explorer.widget()
    assert explorer._on_change({"new": "timeouts at 04:00"}) is None


def test_the_background_replays_every_mode_once(whole_night: fallbacks.NightReport) -> None:
    explorer = _RecordingExplorer(whole_night, precompute=True)
    explorer.widget()
    assert explorer._warming is not None
    explorer.finish_warming(timeout=60)
    assert not explorer._warming.is_alive()
    assert sorted(explorer.replayed) == sorted(explorer.modes)
    assert explorer.in_background == [False] + [True] * (len(explorer.modes) - 1)  # the first is the widget's own
    explorer._dropdown.value = "quota exhausted at 04:30"
    assert explorer.replayed.count("quota exhausted at 04:30") == 1


def test_no_background_replays_while_grading_or_for_learner_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fallbacks.FaultExplorer().precompute is True
    assert fallbacks.FaultExplorer({"mine": lambda sb: fallbacks.naive_handler(sb.agent())}).precompute is False
    monkeypatch.setenv("WEEKFOUR_GRADING", "1")
    assert fallbacks.FaultExplorer().precompute is False


class _Breaker:
    """Opens after N failures, closes after the cooldown (enough for the playground)."""

    def __init__(self, *, clock: Any, failure_threshold: int, cooldown: float) -> None:
        self.clock, self.threshold, self.cooldown = clock, failure_threshold, cooldown
        self.failures, self.opened = 0, None

    @property
    def state(self) -> str:
        if self.opened is None:
            return "closed"
        return "half_open" if self.clock.now() - self.opened >= self.cooldown else "open"

    def allow(self) -> bool:
        return self.state != "open"

    def record_success(self) -> None:
        self.failures, self.opened = 0, None

    def record_failure(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened = self.clock.now()


def test_the_playground_summary_is_one_line_that_follows_the_sliders() -> None:
    playground = fallbacks.BreakerPlayground(_Breaker)
    box = playground.widget()
    threshold, cooldown = box.children[0].children
    summary = box.children[1]
    before = summary.value
    assert playground.summary() in before
    threshold.value = 2
    assert summary.value != before and playground.summary() in summary.value
    cooldown.value = 120.0
    assert playground.summary() in summary.value
    assert threshold.style.description_width == "initial"
    assert playground.plot(title="").axes[0].get_title() == ""
    assert playground.plot().axes[0].get_title() == playground.summary()
