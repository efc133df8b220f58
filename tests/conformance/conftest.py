"""Fixtures for the cairn-sim conformance suite.

One simulator process serves the whole session (configured in simkit.SIM_CONFIG); each test
that looks at recorded requests clears them first through the `recorder` fixture.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simkit import (  # noqa: E402
    Recorder,
    SIM_CONFIG,
    SimProcess,
    anthropic_client,
    boto_client,
)


def pytest_configure(config):
    # Keep the developer's own AWS setup (profiles, bearer token, region) out of the clients.
    for name in list(os.environ):
        if name.startswith("AWS_") or name.startswith("ANTHROPIC_"):
            del os.environ[name]
    empty = Path(tempfile.gettempdir()) / "cairn-conformance-no-aws"
    os.environ["AWS_CONFIG_FILE"] = str(empty / "config")
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(empty / "credentials")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


@pytest.fixture(scope="session")
def sim_workdir():
    with tempfile.TemporaryDirectory(prefix="cairn-conformance-") as d:
        yield Path(d)


@pytest.fixture(scope="session")
def sim_config_path(sim_workdir) -> Path:
    path = sim_workdir / "sim.json"
    path.write_text(json.dumps(SIM_CONFIG, indent=2))
    return path


@pytest.fixture(scope="session")
def sim_process(sim_workdir, sim_config_path):
    sim = SimProcess(["--port", "0", "--config", str(sim_config_path)], sim_workdir / "sim.stderr")
    if sim.url is None:
        sim.stop()
        pytest.fail(f"unexpected first stdout line {sim.first_line!r}; stderr: {sim.stderr_text()}")
    yield sim
    sim.stop()


@pytest.fixture(scope="session")
def sim_url(sim_process) -> str:
    return sim_process.url


@pytest.fixture(scope="session")
def start_sim(sim_workdir):
    """Factory for extra simulators (CLI contract tests); all are stopped at session end."""
    started: list[SimProcess] = []

    def _start(*args: str) -> SimProcess:
        sim = SimProcess(list(args), sim_workdir / f"extra-{len(started)}.stderr")
        started.append(sim)
        return sim

    yield _start
    for sim in started:
        sim.stop()


@pytest.fixture
def recorder(sim_url) -> Recorder:
    rec = Recorder(sim_url)
    rec.clear()
    return rec


@pytest.fixture(scope="session")
def runtime(sim_url):
    return boto_client("bedrock-runtime", sim_url)


@pytest.fixture(scope="session")
def control(sim_url):
    return boto_client("bedrock", sim_url)


@pytest.fixture(scope="session")
def sts(sim_url):
    return boto_client("sts", sim_url)


@pytest.fixture(scope="session")
def anthropic_bedrock(sim_url):
    return anthropic_client(sim_url)
