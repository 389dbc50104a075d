"""Seed the demo shop's orders and demo agents: `python -m bot.ops.seed [--reset]`.

Timelines in bot/demo/orders.yaml are hours before the moment of seeding, so a fresh demo always has
orders close to their deadlines. Existing orders are left alone unless --reset is given. The demo agents
(DEMO_AGENTS, passwords in the README) are created outside production only.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.handoff.agents import create_agent
from bot.store.db import session_scope
from bot.store.models import Agent, Order, OrderItem

DEMO_ORDERS = Path(__file__).resolve().parent.parent / "demo" / "orders.yaml"
DEMO_BRAND = "usahaku99"
_STEPS = ("created", "paid", "processed", "shipped", "delivered", "completed", "cancelled")


def _order_from_fixture(data: dict[str, Any], now: datetime) -> Order:
    def at(step: str) -> datetime | None:
        hours = data["timeline"].get(step)
        return None if hours is None else now - timedelta(hours=hours)

    customer, shipping = data["customer"], data["shipping"]
    return Order(
        id=data["id"].upper(),
        brand=data.get("brand", DEMO_BRAND),
        status=data["status"],
        customer_name=customer["name"],
        customer_phone=customer["phone"],
        customer_email=customer.get("email"),
        courier=shipping.get("courier"),
        courier_service=shipping.get("service"),
        resi=shipping.get("resi"),
        city=shipping.get("city"),
        created_at=at("created"),
        **{f"{step}_at": at(step) for step in _STEPS[1:]},
        cancel_reason=data.get("cancel_reason"),
        items=[
            OrderItem(sku=i["sku"], name=i["name"], quantity=i["quantity"], unit_price=i["unit_price"])
            for i in data["items"]
        ],
    )


def seed_orders(session: Session, *, now: datetime | None = None, reset: bool = False) -> int:
    """Insert the demo orders that are missing (all of them again with reset); returns how many."""
    now = now or datetime.now(UTC)
    fixture = yaml.safe_load(DEMO_ORDERS.read_text(encoding="utf-8"))["orders"]
    ids = [o["id"].upper() for o in fixture]
    if reset:
        session.execute(delete(OrderItem).where(OrderItem.order_id.in_(ids)))
        session.execute(delete(Order).where(Order.id.in_(ids)))
    existing = set(session.scalars(select(Order.id).where(Order.id.in_(ids))))
    new = [_order_from_fixture(o, now) for o in fixture if o["id"].upper() not in existing]
    session.add_all(new)
    return len(new)


# username, display name, role, password: for trying the console locally; never created in production.
DEMO_AGENTS = (
    ("dewi", "Dewi", "agent", "dewi-demo-123"),
    ("budi", "Budi", "agent", "budi-demo-123"),
    ("sari", "Sari", "supervisor", "sari-demo-123"),
)


class DemoAgentsInProduction(RuntimeError):
    pass


def seed_agents(session: Session) -> int:
    """The demo agents that are missing; returns how many were added. Refused in production: their
    passwords are published in the README (and the gateway would refuse to start with them)."""
    if get_settings().environment == "production":
        raise DemoAgentsInProduction(
            "ENVIRONMENT=production: demo agents (published passwords) are not created; "
            "create real agent accounts instead"
        )
    existing = set(session.scalars(select(Agent.username)))
    added = 0
    for username, name, role, password in DEMO_AGENTS:
        if username not in existing:
            create_agent(session, username=username, name=name, role=role, password=password)
            added += 1
    return added


def seed_demo(reset: bool = False) -> str:
    """The demo shop's orders and (outside production) the demo agents, in DATABASE_URL's database."""
    with session_scope() as session:
        count = seed_orders(session, reset=reset)
        if get_settings().environment == "production":
            return f"demo orders: {count} added; demo agents: none (ENVIRONMENT=production)"
        agents = seed_agents(session)
    return f"demo orders: {count} added; demo agents: {agents} added"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reset", action="store_true", help="re-create the demo orders relative to now")
    args = parser.parse_args()
    print(seed_demo(reset=args.reset))


if __name__ == "__main__":
    main()
