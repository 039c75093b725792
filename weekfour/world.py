"""The shop the support agent works for: orders, products, policy documents, the tools, and the backoffice.

Everything here is deterministic for a seed. The world is also the ground truth: ``World.refund_eligibility`` and
``Backoffice.audit`` say which of the things the agent told the backoffice were wrong.

    World ── get_order / search_policies / get_product ──► tool results (JSON strings) ──► the model reads them
      │
      └── ground truth ──► Backoffice.audit(world): every refund, message and ticket checked against the facts
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DAY",
    "SIM_EPOCH",
    "TOOLS",
    "Action",
    "Backoffice",
    "Document",
    "LineItem",
    "Order",
    "OrderStatus",
    "Product",
    "World",
    "refund_rule",
]

SIM_EPOCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # simulated second 0: Monday 09:00 UTC
DAY = 86_400.0
RETURN_WINDOW_DAYS = 30

OrderStatus = Literal["processing", "shipped", "delivered", "cancelled", "refunded"]
ORDER_STATUSES: tuple[OrderStatus, ...] = ("processing", "shipped", "delivered", "cancelled", "refunded")
CARRIERS = ("UPS", "DHL", "USPS")
PAYMENT_METHODS = ("card", "card", "card", "paypal", "gift_card")
ORDER_ID = re.compile(r"\b([A-Z]\d{4})\b")


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    price: float
    category: str


@dataclass(frozen=True, slots=True)
class LineItem:
    sku: str
    name: str
    quantity: int
    unit_price: float


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    customer: str
    status: OrderStatus
    items: tuple[LineItem, ...]
    total: float
    payment_method: str
    placed_at: float  # simulated seconds (negative: before the simulation starts)
    shipped_at: float | None = None
    delivered_at: float | None = None
    carrier: str | None = None
    tracking: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The order as the ``get_order`` tool returns it: plain JSON, dates as ISO strings."""
        data = asdict(self)
        data["items"] = [asdict(i) for i in self.items]
        for key in ("placed_at", "shipped_at", "delivered_at"):
            data[key] = _iso(getattr(self, key))
        return data


@dataclass(frozen=True, slots=True)
class Document:
    id: str  # e.g. "policy/returns"
    title: str
    text: str


PRODUCTS: tuple[Product, ...] = (
    Product("SKU-TRAIL", "Trail Runner Shoes", 129.0, "footwear"),
    Product("SKU-RAIN", "Rain Jacket", 89.0, "outerwear"),
    Product("SKU-LAMP", "Headlamp 400", 34.5, "gear"),
    Product("SKU-BOTTLE", "Steel Water Bottle", 19.0, "gear"),
    Product("SKU-SOCKS", "Merino Socks (3 pack)", 24.0, "apparel"),
    Product("SKU-GIFT50", "Gift Card $50", 50.0, "gift_card"),
)

POLICIES: tuple[Document, ...] = (
    Document(
        "policy/returns",
        "Returns",
        "Items can be returned within 30 days of delivery for a full refund. Items must be unused and in their "
        "original packaging. Orders that have not been delivered yet cannot be returned; cancel them instead.",
    ),
    Document(
        "policy/refunds",
        "Refunds",
        "Refunds are issued to the original payment method within 5-7 business days of approval. "
        "A refund is never larger than the order total. Gift card purchases are not refundable.",
    ),
    Document(
        "policy/gift-cards",
        "Gift cards",
        "Gift cards cannot be refunded, returned or exchanged for cash. "
        "Lost gift cards can be replaced with a receipt.",
    ),
    Document(
        "policy/shipping",
        "Shipping and tracking",
        "Standard shipping takes 3-7 business days with UPS, DHL or USPS. A tracking number is emailed when the "
        "order ships. Orders still processing ship within 2 business days.",
    ),
    Document(
        "policy/cancellations",
        "Cancellations",
        "An order can be cancelled free of charge while it is still processing. Shipped orders cannot be cancelled; "
        "return them after delivery instead.",
    ),
    Document(
        "policy/warranty",
        "Warranty",
        "Gear and footwear carry a one-year warranty against manufacturing defects. Open a ticket with photos.",
    ),
)

_STOPWORDS = frozenset("a an the is are my i to of for and or on in it can do what how when be your with".split())

TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_order",
            "description": "Look up one order by its id (like 'A1042'): status, items, total, payment method, "
            "dates, carrier and tracking number.",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string", "description": "The order id, e.g. 'A1042'."}},
                "required": ["order_id"],
                "additionalProperties": False,
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "search_policies",
            "description": "Search the shop's policy documents (returns, refunds, gift cards, shipping, "
            "cancellations, warranty). Returns matching documents with their ids, to cite.",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string", "description": "What to look for, in a few words."}},
                "required": ["query"],
                "additionalProperties": False,
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_product",
            "description": "Look up a product by its SKU (like 'SKU-RAIN'): name, price, category.",
            "parameters": {
                "type": "object",
                "properties": {"sku": {"type": "string", "description": "The product SKU."}},
                "required": ["sku"],
                "additionalProperties": False,
            },
        },
    },
]


def _iso(t: float | None) -> str | None:
    if t is None:
        return None
    return (SIM_EPOCH + timedelta(seconds=t)).isoformat().replace("+00:00", "Z")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOPWORDS}


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


class World:
    """The shop: ~200 orders, a few products, the policy documents. ``World.generate(seed)`` builds one."""

    def __init__(self, orders: list[Order], products: tuple[Product, ...], documents: tuple[Document, ...]) -> None:
        self.orders: dict[str, Order] = {o.id: o for o in orders}
        self.products: dict[str, Product] = {p.sku: p for p in products}
        self.documents: dict[str, Document] = {d.id: d for d in documents}
        self.tools: list[dict[str, Any]] = TOOLS
        self._order_json: dict[str, tuple[Order, dict[str, Any]]] = {}  # to_json, remembered per Order object

    @classmethod
    def generate(cls, seed: int = 0, *, n_orders: int = 200) -> World:
        rng = random.Random(f"weekfour-world-{seed}")
        orders = [_make_order(rng, 1000 + i) for i in range(n_orders)]
        return cls(orders, PRODUCTS, POLICIES)

    def __repr__(self) -> str:
        return f"World({len(self.orders)} orders, {len(self.products)} products, {len(self.documents)} documents)"

    # --- the tools -------------------------------------------------------------------------------------------

    def get_order(self, order_id: str) -> dict[str, Any]:
        order = self.orders.get(str(order_id).strip().upper())
        if order is None:
            return {"error": "order not found", "order_id": order_id}
        cached = self._order_json.get(order.id)
        if cached is None or cached[0] is not order:  # an edited order (a notebook may replace one) is re-read
            cached = self._order_json[order.id] = (order, order.to_json())
        return dict(cached[1])

    def search_policies(self, query: str, *, k: int = 3) -> dict[str, Any]:
        wanted = {_stem(w) for w in _words(query)}
        scored = []
        for doc in self.documents.values():
            words = {_stem(w) for w in _words(doc.title + " " + doc.text + " " + doc.id.replace("-", " "))}
            score = len(wanted & words) + 3 * len(wanted & {_stem(w) for w in _words(doc.id)})
            if score:
                scored.append((score, doc.id))
        scored.sort(key=lambda s: (-s[0], s[1]))
        hits = [self.documents[doc_id] for _, doc_id in scored[:k]]
        return {"results": [{"id": d.id, "title": d.title, "text": d.text} for d in hits]}

    def get_product(self, sku: str) -> dict[str, Any]:
        product = self.products.get(str(sku).strip().upper())
        if product is None:
            return {"error": "product not found", "sku": sku}
        return asdict(product)

    def call_tool(self, name: str, arguments: str) -> str:
        """Run one tool call as the model sent it (arguments are a JSON string); return the result as JSON text."""
        try:
            args = json.loads(arguments or "{}")
        except json.JSONDecodeError:
            return json.dumps({"error": f"arguments for {name} were not valid JSON: {arguments[:80]!r}"})
        if not isinstance(args, dict):
            return json.dumps({"error": f"arguments for {name} must be a JSON object"})
        handlers: dict[str, Callable[..., Any]] = {
            "get_order": self.get_order,
            "search_policies": self.search_policies,
            "get_product": self.get_product,
        }
        handler = handlers.get(name)
        if handler is None:
            return json.dumps({"error": f"unknown tool {name!r}; the tools are {sorted(handlers)}"})
        try:
            result = handler(**args)
        except TypeError as exc:
            result = {"error": f"bad arguments for {name}: {exc}"}
        return json.dumps(result)

    # --- ground truth ----------------------------------------------------------------------------------------

    def refund_eligibility(self, order_id: str, now: float = 0.0) -> tuple[bool, str]:
        """Whether the order may be refunded at simulated time ``now``, and the policy that decides it."""
        order = self.orders.get(order_id)
        if order is None:
            return False, "no such order"
        return refund_rule(order.status, order.payment_method, order.delivered_at, now)


def refund_rule(status: str, payment_method: str, delivered_at: float | None, now: float) -> tuple[bool, str]:
    """The refund policy as code (the model applies the same rule to what the tools told it)."""
    if payment_method == "gift_card":
        return False, "policy/gift-cards"
    if status != "delivered" or delivered_at is None:
        return False, "policy/returns" if status in ("processing", "shipped") else "policy/refunds"
    if now - delivered_at > RETURN_WINDOW_DAYS * DAY:
        return False, "policy/returns"
    return True, "policy/returns"


def _make_order(rng: random.Random, number: int) -> Order:
    status = rng.choices(ORDER_STATUSES, weights=(15, 25, 45, 8, 7))[0]
    items = []
    for product in rng.sample(PRODUCTS, rng.randint(1, 3)):
        items.append(LineItem(product.sku, product.name, rng.randint(1, 2), product.price))
    total = round(sum(i.quantity * i.unit_price for i in items), 2)
    payment = "gift_card" if any(i.sku == "SKU-GIFT50" for i in items) else rng.choice(PAYMENT_METHODS)
    age_days = {"processing": rng.uniform(0.1, 2), "shipped": rng.uniform(2, 6)}.get(status, rng.uniform(5, 60))
    placed = -age_days * DAY
    shipped: float | None = None
    delivered: float | None = None
    carrier = tracking = None
    if status in ("shipped", "delivered", "refunded"):
        shipped = placed + rng.uniform(0.5, 2) * DAY
        carrier = rng.choice(CARRIERS)
        tracking = f"{carrier[:2]}{rng.randrange(10**9, 10**10)}"
    if status in ("delivered", "refunded") and shipped is not None:  # shipped is set for both
        delivered = min(shipped + rng.uniform(2, 6) * DAY, -0.05 * DAY)
    customer = rng.choice(["Ana", "Ben", "Chen", "Dara", "Emil", "Fatima", "Goran", "Hana", "Ivo", "Jules"])
    return Order(
        id=f"A{number}",
        customer=customer,
        status=status,
        items=tuple(items),
        total=total,
        payment_method=payment,
        placed_at=round(placed, 1),
        shipped_at=None if shipped is None else round(shipped, 1),
        delivered_at=None if delivered is None else round(delivered, 1),
        carrier=carrier,
        tracking=tracking,
    )


# --- downstream ------------------------------------------------------------------------------------------------


class _Clock(Protocol):
    def now(self) -> float: ...


ActionKind = Literal["refund", "message", "ticket"]


@dataclass(frozen=True, slots=True)
class Action:
    """One thing the backoffice was told to do, with when (simulated seconds) and what it was told."""

    kind: ActionKind
    order_id: str | None
    at: float
    details: dict[str, Any] = field(default_factory=dict)


class Backoffice:
    """The systems downstream of the agent. They believe what they are told, and record it.

    ``issue_refund`` moves money, ``tell_customer`` sends an email, ``open_ticket`` pages a person.
    ``audit(world)`` checks every recorded action against the ground truth.
    """

    def __init__(self, clock: _Clock | None = None) -> None:
        self.clock = clock
        self.actions: list[Action] = []

    def _now(self) -> float:
        return self.clock.now() if self.clock is not None else 0.0

    def _record(self, kind: ActionKind, order_id: str | None, **details: Any) -> Action:
        action = Action(kind, order_id, self._now(), details)
        self.actions.append(action)
        return action

    def issue_refund(self, order_id: str, amount: float, reason: str = "") -> Action:
        return self._record("refund", order_id, amount=float(amount), reason=reason)

    def tell_customer(
        self,
        order_id: str | None,
        message: str,
        *,
        status: str | None = None,
        citations: list[str] | tuple[str, ...] = (),
    ) -> Action:
        return self._record("message", order_id, message=message, status=status or None, citations=list(citations))

    def open_ticket(self, order_id: str | None, summary: str) -> Action:
        return self._record("ticket", order_id, summary=summary)

    @property
    def refunds(self) -> list[Action]:
        return [a for a in self.actions if a.kind == "refund"]

    @property
    def refunded_usd(self) -> float:
        return round(sum(float(a.details["amount"]) for a in self.refunds), 2)

    def clear(self) -> None:
        self.actions.clear()

    def mistakes(self, world: World) -> list[tuple[Action, str]]:
        """Every recorded action that contradicts the ground truth, with why."""
        found = []
        for action in self.actions:
            why = _judge(action, world)
            if why:
                found.append((action, why))
        return found

    def audit(self, world: World) -> pd.DataFrame:
        """One row per action: kind, order, when, what it was told, and ``wrong`` / ``why`` against the truth."""
        import pandas as pd

        rows = []
        for a in self.actions:
            why = _judge(a, world)
            row = {"kind": a.kind, "order_id": a.order_id, "at": a.at, **a.details}
            rows.append({**row, "wrong": bool(why), "why": why})
        columns = ["kind", "order_id", "at", "wrong", "why"]
        return pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)

    def __repr__(self) -> str:
        return f"Backoffice({len(self.actions)} actions, ${self.refunded_usd:,.2f} refunded)"


def _judge(action: Action, world: World) -> str:
    """Why ``action`` is wrong given the world's facts, or "" when it is right (or not checkable)."""
    d = action.details
    order = world.orders.get(action.order_id or "")
    for doc_id in d.get("citations") or ():
        if doc_id not in world.documents:
            return f"cites {doc_id!r}, which does not exist"
    if action.kind == "refund":
        if order is None:
            return f"refund for {action.order_id!r}, which is not an order"
        ok, rule = world.refund_eligibility(order.id, action.at)
        if not ok:
            return f"refund on a {order.status} {order.payment_method} order breaks {rule}"
        if d["amount"] > order.total + 0.005:
            return f"refund of {d['amount']:.2f} is more than the order total {order.total:.2f}"
        return ""
    claimed = d.get("status")
    if action.kind == "message" and claimed in (*ORDER_STATUSES, "not_found"):  # "unknown" etc. claim nothing
        if order is None:
            if claimed != "not_found":
                return f"told the customer {action.order_id!r} is {claimed!r}, but there is no such order"
        elif claimed != order.status:
            return f"told the customer {order.id} is {claimed!r}; it is {order.status!r}"
    return ""
