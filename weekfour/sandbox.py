"""One call sets up the whole world a notebook needs::

from weekfour import sandbox, scenarios
sb = sandbox(scenarios.hallucination())
agent = sb.agent()                 # the day-three agent, on the mocked provider
agent.ask("Where is my order A1042?")
sb.audit()                         # what reached the backoffice, and what of it was wrong

clock ─┬─► provider (wf-chat, wf-mini; scenario faults, latency, rate limits, model updates)
       └─► backup   (backup-chat, at another base URL: the fallback the notebooks reach for)
world ──► model (ScriptedModel with the scenario's knobs) ──► both providers
backoffice ◄── agent.act(): refunds, emails, tickets
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from weekfour.agent import AsyncSupportAgent, SupportAgent
from weekfour.catalog import DEFAULT_ALIASES, DEFAULT_SPECS, Catalog, default_catalog
from weekfour.clock import SimClock
from weekfour.model import ScriptedModel
from weekfour.provider import BASE_URL, MockProvider, RequestLog
from weekfour.scenarios import BACKUP_FAMILY, Scenario
from weekfour.traffic import Question, questions
from weekfour.world import Backoffice, World

if TYPE_CHECKING:
    # By name: inside the classes below, ``openai`` is the method that builds the SDK client, not the module.
    import pandas as pd
    from openai import AsyncOpenAI, OpenAI

__all__ = ["BACKUP_BASE_URL", "BACKUP_MODELS", "Sandbox", "sandbox"]

BACKUP_BASE_URL = "https://api.backup-llm.test/v1"
BACKUP_MODELS = BACKUP_FAMILY  # the models the backup provider serves


@dataclass
class Sandbox:
    """Everything a notebook touches, wired together on one simulated clock."""

    scenario: Scenario
    seed: int
    clock: SimClock
    world: World
    backoffice: Backoffice
    model: ScriptedModel
    provider: MockProvider
    backup: MockProvider
    catalog: Catalog  # every model of both providers, for prices (aliases follow the scenario's model updates)

    def __repr__(self) -> str:
        return (
            f"Sandbox({self.scenario.name!r}, seed={self.seed}, now={self.clock.now():.1f}s, {len(self.log)} requests)"
        )

    @property
    def log(self) -> RequestLog:
        """Every request the main provider saw (``sb.log.to_frame()``)."""
        return self.provider.log

    def client(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` on the main provider; kwargs (timeout, event_hooks, ...) go to httpx.

        Like any httpx client it gives up reading after 5 s unless you pass ``timeout=``: under ``scenarios.slow()``
        that default is part of what breaks (a slow answer is an ``httpx.ReadTimeout``).
        """
        return self.provider.client(**kwargs)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        return self.provider.async_client(**kwargs)

    def backup_client(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` on the backup provider (model ``"backup-chat"``)."""
        return self.backup.client(**kwargs)

    def openai(self, **kwargs: Any) -> OpenAI:
        """The official openai SDK on the main provider (pass ``max_retries=0`` when your code retries)."""
        return self.provider.openai(**kwargs)

    def async_openai(self, **kwargs: Any) -> AsyncOpenAI:
        return self.provider.async_openai(**kwargs)

    def agent(
        self, client: httpx.Client | None = None, *, cls: Callable[..., SupportAgent] = SupportAgent, **kwargs: Any
    ) -> SupportAgent:
        """The day-three support agent on this sandbox (or on ``client``); kwargs go to ``SupportAgent``.

        ``cls=`` builds your own subclass instead (``sb.agent(cls=GuardedAgent)``), wired to the same world,
        backoffice, clock and prices.
        """
        kwargs.setdefault("catalog", self.catalog)
        kwargs.setdefault("clock", self.clock)
        return cls(client or self.client(), world=self.world, backoffice=self.backoffice, **kwargs)

    def async_agent(self, client: httpx.AsyncClient | None = None, **kwargs: Any) -> AsyncSupportAgent:
        """The same agent over an ``httpx.AsyncClient``; run it inside ``sb.clock.run(...)``."""
        kwargs.setdefault("catalog", self.catalog)
        kwargs.setdefault("clock", self.clock)
        client = client or self.async_client()
        return AsyncSupportAgent(client, world=self.world, backoffice=self.backoffice, **kwargs)

    def questions(self, n: int, *, seed: int | None = None, **kwargs: Any) -> list[Question]:
        """``n`` customer questions about this sandbox's world, with ground truth (see ``weekfour.traffic``)."""
        kwargs.setdefault("now", self.clock.now())
        return questions(n, seed=self.seed if seed is None else seed, world=self.world, **kwargs)

    def audit(self) -> pd.DataFrame:
        """Every action the backoffice took, checked against the ground truth (``wrong``, ``why``)."""
        return self.backoffice.audit(self.world)

    def wrong_downstream(self) -> int:
        """How many wrong claims or refunds reached the backoffice."""
        return len(self.backoffice.mistakes(self.world))

    def spend(self) -> float:
        """USD spent on both providers so far."""
        return self.provider.log.total_cost() + self.backup.log.total_cost()


def _split_catalogs() -> tuple[Catalog, Catalog]:
    main_specs = [s for s in DEFAULT_SPECS if s.id not in BACKUP_MODELS]
    backup_specs = [s for s in DEFAULT_SPECS if s.id in BACKUP_MODELS]
    main = Catalog(main_specs, {a: t for a, t in DEFAULT_ALIASES.items() if a not in BACKUP_MODELS})
    backup = Catalog(backup_specs, {a: t for a, t in DEFAULT_ALIASES.items() if a in BACKUP_MODELS})
    return main, backup


def sandbox(*scenarios: Scenario, seed: int = 0) -> Sandbox:
    """Build a fresh world for ``scenarios`` composed left to right (none: ``scenarios.happy()``)."""
    scenario = Scenario()
    for s in scenarios:
        if not isinstance(s, Scenario):
            raise TypeError(f"sandbox() takes Scenario objects such as scenarios.happy(), not {type(s).__name__}")
        scenario = scenario | s
    clock = SimClock()
    world = World.generate(seed)
    model = ScriptedModel(world, seed=seed, **scenario.model_knobs())
    main_catalog, backup_catalog = _split_catalogs()
    prices = default_catalog()
    for alias, snapshot, at in scenario.model_updates:
        target = backup_catalog if alias in BACKUP_MODELS else main_catalog
        target.repoint(alias, snapshot, at=at)
        prices.repoint(alias, snapshot, at=at)
    on_backup = [f for f in scenario.faults if f.models and set(f.models) <= set(BACKUP_MODELS)]
    provider = MockProvider(
        model,
        clock=clock,
        catalog=main_catalog,
        faults=[f for f in scenario.faults if f not in on_backup],
        latency=scenario.latency,
        seed=seed,
        base_url=BASE_URL,
        rpm_limit=scenario.rpm_limit,
        tpm_limit=scenario.tpm_limit,
    )
    backup = MockProvider(
        model,
        clock=clock,
        catalog=backup_catalog,
        faults=on_backup,
        latency=scenario.latency,
        seed=seed + 1,
        base_url=BACKUP_BASE_URL,
        api_key="sk-backup-test",
    )
    return Sandbox(scenario, seed, clock, world, Backoffice(clock), model, provider, backup, prices)
