"""Customer texts live in the domain (domain/*.yml): every response an action names is there with the
variables the action passes, no action writes a sentence of its own, and every action answers through the
safety net of actions/safety.py."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa_sdk.executor import ActionExecutor

from actions.forms import FormWithDigressions
from actions.safety import SafeAction
from bot.config import PROJECT_ROOT
from tests.actions.helpers import domain_text, load_domain, rendered

MODULES = sorted((PROJECT_ROOT / "actions").glob("*.py"))
VARIABLE = re.compile(r"{([^\n{}]+?)}")


def _utter_calls() -> Iterator[tuple[Path, ast.Call]]:
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "utter_message":
                yield path, node


def _names(node: ast.expr) -> list[str]:
    """The response names an argument can take: a literal, or either branch of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _names(node.body) + _names(node.orelse)
    return []


def _is_literal_text(node: ast.expr) -> bool:
    """A sentence written in the call: a string or f-string, alone or in `+` or `a if c else b`."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return _is_literal_text(node.left) or _is_literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_literal_text(node.body) or _is_literal_text(node.orelse)
    return False


def test_every_response_named_in_the_actions_is_in_the_domain():
    named = {
        name
        for _, call in _utter_calls()
        for kw in call.keywords
        if kw.arg == "response"
        for name in _names(kw.value)
    }
    constants = {  # FAILED_RESPONSE = "utter_action_failed" and the like, passed on by name
        node.value.value
        for path in MODULES
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id.endswith("_RESPONSE") for t in node.targets)
        and isinstance(node.value, ast.Constant)
    }
    assert len(named) > 30
    assert constants
    assert (named | constants) - set(load_domain()["responses"]) == set()


def test_a_response_gets_every_variable_it_needs_from_the_action():
    responses = load_domain()["responses"]
    checked = 0
    for path, call in _utter_calls():
        keywords = {kw.arg: kw.value for kw in call.keywords}
        passed = set(keywords) - {"response", "buttons", "json_message"}
        for name in _names(keywords["response"]) if "response" in keywords else []:
            needed = {v for variant in responses[name] for v in VARIABLE.findall(variant.get("text", ""))}
            assert needed <= passed, f"{path.name}:{call.lineno} {name} needs {needed - passed}"
            checked += 1
    assert checked > 30


def test_no_action_writes_a_customer_text_of_its_own():
    inline = [
        f"{path.name}:{call.lineno}"
        for path, call in _utter_calls()
        for kw in call.keywords
        if kw.arg == "text" and _is_literal_text(kw.value)
    ]
    assert inline == []


def test_a_response_is_sent_as_rasa_fills_it():
    buttons = [{"title": "Bicara dengan CS", "payload": "/request_human"}]
    message = {"response": "utter_ticket_not_found", "number": "PGD-2612-7KQ4M", "buttons": buttons}
    sent = rendered(message, slots={})
    assert sent["text"] == "Mohon maaf Kak, tiket PGD-2612-7KQ4M tidak kami temukan."
    assert sent["buttons"] == buttons
    with pytest.raises(KeyError):  # a variable the action forgot: Rasa would send the braces
        domain_text("utter_ticket_not_found")


def test_every_action_answers_through_the_safety_net():
    executor = ActionExecutor()
    executor.register_package("actions")
    unguarded = [
        name
        for name, run in executor.actions.items()
        if not isinstance(run.__self__, SafeAction | FormWithDigressions)
    ]
    assert executor.actions
    assert unguarded == []
