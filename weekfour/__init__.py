"""Week Four course kit: the world the learner works in.

    from weekfour import sandbox, scenarios
    sb = sandbox(scenarios.hallucination())    # clock, shop, backoffice, scripted model, mocked provider, backup
    agent = sb.agent()                          # the support agent from the demo on day three
    agent.ask("Where is my order A1042?")

The pieces, if you want to wire them yourself: ``SimClock`` (simulated time), ``World`` and ``Backoffice`` (the shop
and what acts on answers), ``ScriptedModel`` (the model), ``MockProvider`` (the OpenAI-compatible wire), ``Scenario``
(the knobs), ``SupportAgent`` (the agent), ``questions`` / ``grade`` / ``arrivals`` (traffic with ground truth).
"""

from __future__ import annotations

from weekfour import scenarios
from weekfour.agent import SYSTEM_PROMPT, AsyncSupportAgent, Reply, SupportAgent
from weekfour.catalog import Catalog, ModelNotFound, default_catalog
from weekfour.clock import SimClock, days, hours, minutes, seconds
from weekfour.model import ScriptedModel
from weekfour.provider import BASE_URL, ApiError, LogEntry, MockProvider, RequestLog
from weekfour.sandbox import BACKUP_BASE_URL, Sandbox, sandbox
from weekfour.scenarios import Scenario
from weekfour.serving import CircuitOpen, Served
from weekfour.tokens import count_message_tokens, count_tokens, split_tokens, truncate_tokens
from weekfour.traffic import Question, arrivals, grade, long_paste, questions
from weekfour.types import (
    ChatModel,
    ChatRequest,
    FaultWindow,
    LatencyProfile,
    ModelSpec,
    ModelTurn,
    Span,
    ToolCall,
    TurnContext,
)
from weekfour.world import TOOLS, Action, Backoffice, Order, World

__version__ = "0.1.0"

__all__ = [
    "BACKUP_BASE_URL",
    "BASE_URL",
    "SYSTEM_PROMPT",
    "TOOLS",
    "Action",
    "ApiError",
    "AsyncSupportAgent",
    "Backoffice",
    "Catalog",
    "ChatModel",
    "ChatRequest",
    "CircuitOpen",
    "FaultWindow",
    "LatencyProfile",
    "LogEntry",
    "MockProvider",
    "ModelNotFound",
    "ModelSpec",
    "ModelTurn",
    "Order",
    "Question",
    "Reply",
    "RequestLog",
    "Sandbox",
    "Scenario",
    "ScriptedModel",
    "Served",
    "SimClock",
    "Span",
    "SupportAgent",
    "ToolCall",
    "TurnContext",
    "World",
    "arrivals",
    "count_message_tokens",
    "count_tokens",
    "days",
    "default_catalog",
    "grade",
    "hours",
    "long_paste",
    "minutes",
    "questions",
    "sandbox",
    "scenarios",
    "seconds",
    "split_tokens",
    "truncate_tokens",
]
