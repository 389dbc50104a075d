"""Validate the action server's responses with one prepared JSON Schema validator.

Rasa checks every response of the action server with `jsonschema.validate(response, schema)`, which first
checks the schema itself against the JSON Schema meta-schema and builds a new validator: on this machine
~30 ms of CPU per custom action, a third of Rasa's CPU per turn once the tracker is short (py-spy in
reports/bench). The schema is a constant of Rasa's, so here it is checked once and every response is
validated by the same validator: the same rules, the same error when a response does not match.
`install()` replaces `RemoteAction._validate_action_result`; rasa_components/__init__.py calls it, so it is
in place in every Rasa process that loads this project's model or endpoints.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """What Rasa's own check does (raises ValidationError with its hint), without re-checking the schema."""
    error: ValidationError | None = best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
