"""The shop: deterministic orders, tools with real JSON schemas, policies, and a backoffice that can be audited."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from weekfour.world import DAY, TOOLS, Backoffice, LineItem, Order, World, refund_rule


@pytest.fixture(scope="module")
def world() -> World:
    return World.generate(seed=0)


def test_the_same_seed_builds_the_same_shop_and_another_seed_a_different_one() -> None:
    a, b, c = World.generate(3), World.generate(3), World.generate(4)
    assert a.orders == b.orders
    assert a.orders != c.orders


def test_the_shop_has_about_two_hundred_orders_in_every_status(world: World) -> None:
    assert len(world.orders) == 200
    assert {o.status for o in world.orders.values()} == {"processing", "shipped", "delivered", "cancelled", "refunded"}
    assert all(len(oid) == 5 and oid[0] == "A" and oid[1:].isdigit() for oid in world.orders)
    shipped = [o for o in world.orders.values() if o.status in ("shipped", "delivered")]
    assert all(o.carrier and o.tracking for o in shipped)
    assert all(o.total == round(sum(i.quantity * i.unit_price for i in o.items), 2) for o in world.orders.values())


def test_get_order_returns_json_with_iso_dates_and_an_error_for_unknown_ids(world: World) -> None:
    oid, order = next(iter(world.orders.items()))
    found = json.loads(world.call_tool("get_order", json.dumps({"order_id": oid.lower()})))
    assert found["id"] == oid and found["status"] == order.status
    assert found["placed_at"].endswith("Z") and found["placed_at"].startswith("2026-")
    missing = json.loads(world.call_tool("get_order", '{"order_id": "A9999"}'))
    assert missing["error"] == "order not found"


def test_bad_tool_calls_come_back_as_errors_the_model_can_read(world: World) -> None:
    assert "not valid JSON" in json.loads(world.call_tool("get_order", "{order_id: A1000"))["error"]
    assert "unknown tool" in json.loads(world.call_tool("delete_everything", "{}"))["error"]
    assert "bad arguments" in json.loads(world.call_tool("get_order", '{"id": "A1000"}'))["error"]


@pytest.mark.parametrize(
    ("query", "doc_id"),
    [
        ("gift card policy", "policy/gift-cards"),
        ("returns policy", "policy/returns"),
        ("shipping tracking", "policy/shipping"),
        ("cancellation policy", "policy/cancellations"),
        ("warranty defects", "policy/warranty"),
        ("refund policy", "policy/refunds"),
    ],
)
def test_search_policies_ranks_the_matching_document_first(world: World, query: str, doc_id: str) -> None:
    results = world.search_policies(query)["results"]
    assert results[0]["id"] == doc_id
    assert all(set(r) == {"id", "title", "text"} for r in results)


def test_tools_are_function_definitions_with_json_schemas() -> None:
    assert [t["function"]["name"] for t in TOOLS] == ["get_order", "search_policies", "get_product"]
    for tool in TOOLS:
        params = tool["function"]["parameters"]
        assert tool["type"] == "function" and params["type"] == "object"
        assert set(params["required"]) <= set(params["properties"])
        assert json.loads(json.dumps(tool)) == tool


def _order(status: str, payment: str, delivered_days_ago: float | None) -> Order:
    delivered = None if delivered_days_ago is None else -delivered_days_ago * DAY
    return Order("A0001", "Ana", status, (LineItem("SKU-RAIN", "Rain Jacket", 1, 89.0),), 89.0, payment, -40 * DAY,
                 delivered_at=delivered)  # fmt: skip


def test_the_refund_rule_follows_the_written_policies() -> None:
    def rule(order: Order, now: float = 0.0) -> tuple[bool, str]:
        return refund_rule(order.status, order.payment_method, order.delivered_at, now)

    assert rule(_order("delivered", "card", 3)) == (True, "policy/returns")
    assert rule(_order("delivered", "card", 31)) == (False, "policy/returns")
    assert rule(_order("delivered", "card", 3), now=28 * DAY) == (False, "policy/returns")
    assert rule(_order("delivered", "gift_card", 3)) == (False, "policy/gift-cards")
    assert rule(_order("shipped", "card", None))[0] is False
    assert rule(_order("refunded", "card", 3)) == (False, "policy/refunds")


def test_the_backoffice_records_what_it_is_told_and_the_audit_finds_the_lies(world: World) -> None:
    orders = list(world.orders.values())
    eligible = next(o for o in orders if world.refund_eligibility(o.id)[0])
    ineligible = next(o for o in orders if o.payment_method == "gift_card")
    other = next(s for s in ("shipped", "delivered") if s != eligible.status)
    office = Backoffice()
    office.issue_refund(eligible.id, eligible.total, "ok")  # right
    office.tell_customer(eligible.id, "it's here", status=eligible.status, citations=["policy/returns"])  # right
    office.tell_customer(eligible.id, "hmm", status="unknown")  # claims nothing
    office.issue_refund(ineligible.id, ineligible.total, "gift card")  # wrong: policy
    office.issue_refund(eligible.id, eligible.total + 10, "too much")  # wrong: more than the total
    office.tell_customer(eligible.id, "on its way", status=other)  # wrong: status
    office.tell_customer(None, "90 days!", citations=["policy/vip-refunds"])  # wrong: no such document
    office.issue_refund("A9999", 10.0)  # wrong: no such order
    assert len(office.actions) == 8 and len(office.refunds) == 4
    frame = office.audit(world)
    assert frame["wrong"].tolist() == [False, False, False, True, True, True, True, True]
    assert "gift-cards" in frame["why"][3] and "more than the order total" in frame["why"][4]
    assert len(office.mistakes(world)) == 5
    office.clear()
    assert office.actions == [] and office.audit(world).empty


def test_the_backoffice_stamps_actions_with_the_clock() -> None:
    class Clock:
        t = 0.0

        def now(self) -> float:
            return self.t

    clock = Clock()
    office = Backoffice(clock)
    clock.t = 123.0
    assert office.open_ticket("A1000", "broken zip").at == 123.0


def test_an_edited_order_is_what_the_tool_returns_next() -> None:
    shop = World.generate(0)
    oid = next(o.id for o in shop.orders.values() if o.status == "shipped")
    assert json.loads(shop.call_tool("get_order", json.dumps({"order_id": oid})))["status"] == "shipped"
    shop.orders[oid] = replace(shop.orders[oid], status="cancelled")
    assert json.loads(shop.call_tool("get_order", json.dumps({"order_id": oid})))["status"] == "cancelled"
