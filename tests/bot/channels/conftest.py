"""Rasa, played by a local HTTP server: the channel tests are about the gateway, not the bot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.rasa_server import FakeRasa


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with FakeRasa().running() as fake:
        yield fake
