"""The console tests' fixtures serve the handoff tests too (a conversation waiting for an agent)."""

from tests.bot.console.conftest import agents, app_client, console, make_settings

__all__ = ["agents", "app_client", "console", "make_settings"]
