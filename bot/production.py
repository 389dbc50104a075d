"""What ENVIRONMENT=production refuses at start beyond the settings (bot/config.py checks the secrets):
agent accounts that can still log in with a demo password from the seed data, which the README publishes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.agents import password_is
from bot.ops.seed import DEMO_AGENTS
from bot.store.models import Agent


class InsecureProduction(RuntimeError):
    """The gateway must not start in production like this; the message says what to change."""


def demo_passwords_in_use(session: Session) -> list[str]:
    """Usernames of active accounts whose password is still their seeded demo password. Only the seeded
    usernames are checked: an argon2 verification costs ~0.1-0.3 s, too much for every account."""
    demo = {username: password for username, _name, _role, password in DEMO_AGENTS}
    agents = session.scalars(select(Agent).where(Agent.username.in_(demo), Agent.active.is_(True)))
    return sorted(agent.username for agent in agents if password_is(agent, demo[agent.username]))


def refuse_demo_passwords(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        found = demo_passwords_in_use(session)
    if found:
        raise InsecureProduction(
            f"ENVIRONMENT=production: the agent account(s) {', '.join(found)} still have the demo password "
            "from bot/ops/seed.py, which the README publishes. Deactivate them (set agents.active to false) "
            "or give them new passwords, then start the gateway again."
        )
