"""weekfour.labs.fallbacks: real failures on demand, the scripted send, the night harness, tables, plots, widgets."""

from __future__ import annotations

import httpx
import pytest

from weekfour.clock import SimClock
from weekfour.labs import fallbacks
from weekfour.labs.fallbacks import FAILURE_KINDS, ScriptedSend, Served, failure


def test_public_surface_is_declared() -> None:
    assert set(fallbacks.__all__) <= set(dir(fallbacks))
    assert "call_with_retries" not in fallbacks.__all__ and "CircuitBreaker" not in fallbacks.__all__


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("ok", 200, None),
        ("rate_limit", 429, "rate_limit_exceeded"),
        ("insufficient_quota", 429, "insufficient_quota"),
        ("server_error", 500, "server_error"),
        ("overloaded", 503, "overloaded"),
        ("bad_request", 400, "invalid_value"),
        ("context_length_exceeded", 400, "context_length_exceeded"),
        ("invalid_api_key", 401, "invalid_api_key"),
        ("model_not_found", 404, "model_not_found"),
        ("request_too_large", 429, "rate_limit_exceeded"),
    ],
)
def test_failure_returns_the_providers_real_response(kind: str, status: int, code: str | None) -> None:
    response = failure(kind)
    assert isinstance(response, httpx.Response)
    assert response.status_code == status
    if code is not None:
        assert response.json()["error"]["code"] == code


def test_rate_limit_carries_both_retry_headers_and_request_too_large_none() -> None:
    limited = failure("rate_limit", retry_after=2.345)
    assert isinstance(limited, httpx.Response)
    assert (limited.headers["retry-after"], limited.headers["retry-after-ms"]) == ("3", "2345")
    too_large = failure("request_too_large")
    assert isinstance(too_large, httpx.Response)
    assert "retry-after" not in too_large.headers and "Request too large" in too_large.text


def test_transport_failures_are_returned_unraised() -> None:
    assert isinstance(failure("timeout"), httpx.ReadTimeout)
    assert isinstance(failure("connection_error"), httpx.ConnectError)
    with pytest.raises(ValueError, match="unknown failure kind"):
        failure("teapot")
    assert len(FAILURE_KINDS) == len(set(FAILURE_KINDS))


def test_scripted_send_replays_the_script_on_the_clock_and_repeats_the_last_outcome() -> None:
    clock = SimClock()
    send = ScriptedSend(clock, [("rate_limit", 1.5), "timeout", "ok"], latency=0.1, read_timeout=7.0)
    assert send().status_code == 429
    clock.sleep(1.5)
    with pytest.raises(httpx.ReadTimeout):
        send()
    assert send().status_code == 200
    assert send().status_code == 200  # past the end: the last outcome again
    assert send.calls == pytest.approx([0.0, 1.6, 8.6, 8.7])
    assert send.waits == pytest.approx([1.5, 0.0, 0.0])
    with pytest.raises(ValueError):
        ScriptedSend(clock, [])


def test_the_naive_night_fails_customers_only_inside_fault_windows() -> None:
    sb = fallbacks.night_sandbox()
    report = fallbacks.run_night(sb, fallbacks.naive_handler(sb.agent()), n=120, name="naive")
    f = report.frame
    assert len(f) == 120 and set(f["rung"]) <= {"primary", "error"}
    errors = f[f["status"] == 500]
    assert len(errors) > 20
    faulty = errors[errors["kind"] != "long_paste"]  # a paste that cannot fit fails at any hour
    assert faulty["t"].map(lambda t: any(w.start <= t < w.end for w in report.windows)).all()
    summary = report.summary()
    assert summary["user-facing errors (HTTP 500)"] == len(errors)
    assert summary["requests to primary during the outage"] == report.requests_in("overloaded") > 0
    table = fallbacks.compare(report, None)
    assert list(table.columns) == ["naive"] and "p95 seconds" in table.index


def test_a_handler_that_returns_the_wrong_type_counts_as_a_500() -> None:
    sb = fallbacks.night_sandbox()
    report = fallbacks.run_night(sb, lambda q: "just a string", n=5)  # type: ignore[return-value]
    assert (report.frame["status"] == 500).all() and set(report.frame["error"]) == {"TypeError"}


def test_rungs_by_window_and_plot_timeline() -> None:
    sb = fallbacks.night_sandbox()
    report = fallbacks.run_night(sb, lambda question: Served("sorry", "degraded"), n=30, name="always degraded")
    table = fallbacks.rungs_by_window(report)
    assert table is not None and list(table.columns) == ["degraded"] and table.to_numpy().sum() == 30
    assert fallbacks.rungs_by_window(None) is None
    fig = fallbacks.plot_timeline(report, None)
    assert fig.axes[0].get_title() == "User-facing errors over the night"


def test_stacked_retries_multiply() -> None:
    table = fallbacks.stacked_retries()
    assert table["requests the provider got"].tolist() == [3, 9, 3]


def test_run_if_finished_explains_an_unfinished_exercise(capsys: pytest.CaptureFixture[str]) -> None:
    def build() -> int:
        raise NotImplementedError("Exercise 4.5: replace this line with your code")

    assert fallbacks.run_if_finished(build, exercise="4.5") is None
    assert "Exercise 4.5 is not finished yet" in capsys.readouterr().out
    assert fallbacks.run_if_finished(lambda x: x + 1, 1) == 2


class _CountingBreaker:
    """A minimal breaker for exercising the playground: opens after N failures, never recovers."""

    def __init__(self, *, clock: SimClock, failure_threshold: int, cooldown: float) -> None:
        self.failures, self.threshold = 0, failure_threshold

    @property
    def state(self) -> str:
        return "open" if self.failures >= self.threshold else "closed"

    def allow(self) -> bool:
        return self.state == "closed"

    def record_success(self) -> None:
        self.failures = 0

    def record_failure(self) -> None:
        self.failures += 1


def test_breaker_playground_runs_headless() -> None:
    playground = fallbacks.BreakerPlayground(_CountingBreaker)
    frame = playground.run(threshold=3, cooldown=30.0)
    down = frame[frame["provider down"]]
    assert int(down["sent"].sum()) == 3
    assert "3 of 60 calls" in playground.summary() and "never" in playground.summary()
    box = playground.widget()
    assert box.children and playground.frame is not None


def test_fault_explorer_computes_its_initial_mode_without_a_human() -> None:
    explorer = fallbacks.FaultExplorer(n=40, precompute=False)
    explorer.widget()
    assert explorer._dropdown.value == "the whole night"
    assert explorer.show("503 outage at 03:00") is explorer.reports
    (report,) = explorer.reports
    assert {w.kind for w in report.windows} == {"overloaded"}
    assert explorer.show("quota exhausted at 04:30")[0].frame["status"].eq(500).any()
    with pytest.raises(ValueError):
        explorer.run("a quiet night")
