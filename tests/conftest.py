"""Shared fixtures: small, fast model runs reused across tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.model import TwinModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def baseline_run() -> TwinModel:
    """The baseline, seed 1, 10 years monthly (shared: do not mutate)."""
    model = TwinModel(seed=1, n_steps=120)
    model.run()
    return model


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
