import asyncio
import logging

import pytest

from bot.infra.background import periodic


def test_a_periodic_job_survives_a_failing_round_and_stops_when_cancelled(caplog: pytest.LogCaptureFixture):
    rounds: list[int] = []
    four_rounds = asyncio.Event()

    async def run_round() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 4:
            four_rounds.set()
        if len(rounds) == 2:
            raise RuntimeError("database hiccup")

    async def scenario() -> None:
        job = asyncio.create_task(periodic("test job", 0.01, run_round))
        await asyncio.wait_for(four_rounds.wait(), timeout=10)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job

    with caplog.at_level(logging.ERROR, logger="bot.infra.background"):
        asyncio.run(scenario())
    assert len(rounds) >= 4  # the round after the failure ran
    assert [r.getMessage() for r in caplog.records] == ["test job failed; retrying next round"]
