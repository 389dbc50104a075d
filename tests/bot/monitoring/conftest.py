"""The handoff tests' gateway (Rasa and Twilio played locally, demo agents) serves the metrics tests too."""

from tests.bot.console.conftest import agents, app_client, make_settings

__all__ = ["agents", "app_client", "make_settings"]
