"""The action server starts: every action the domain names is registered, and nothing else (an abstract
base class registered as an action stops the server at start)."""

from rasa_sdk.executor import ActionExecutor

from tests.actions.helpers import load_domain


def test_the_action_server_registers_exactly_the_domains_custom_actions():
    executor = ActionExecutor()
    executor.register_package("actions")
    domain = load_domain()
    custom = {a for a in domain["actions"] if a.startswith(("action_", "validate_"))}
    assert set(executor.actions) == custom
