"""Hypothesis profiles for the property tests, chosen with the ``HYPOTHESIS_PROFILE``
environment variable (``--hypothesis-profile NAME`` on the pytest command line wins):

    ci    (default) fixed seed, a few hundred examples per test: reproducible, well under a minute
    dev   quick local iterations, random seed, failures replayed from .hypothesis/
    long  at least 10,000 examples per test, random seed: run by hand or nightly

    HYPOTHESIS_PROFILE=long python -m pytest tests/properties -q
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings

# Generated Dockerfiles are large compared with what Hypothesis expects of an example, and the
# CLI test needs a function-scoped fixture (capsys) that it resets on every example.
_SUPPRESSED = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.function_scoped_fixture,
]

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_SUPPRESSED,
)
settings.register_profile(
    "dev",
    max_examples=50,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SUPPRESSED,
)
settings.register_profile(
    "long",
    max_examples=10_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SUPPRESSED,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)

PROFILE_VARIABLE = "HYPOTHESIS_PROFILE"
_PROFILE = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    chosen = config.getoption("hypothesis_profile", default=None)
    if not chosen:  # --hypothesis-profile wins: Hypothesis's own plugin has loaded it
        chosen = os.environ.get(PROFILE_VARIABLE) or "ci"
        settings.load_profile(chosen)
    config.stash[_PROFILE] = chosen


def pytest_report_header(config: pytest.Config) -> str:
    chosen = config.stash.get(_PROFILE, "?")
    return (
        f"tests/properties: hypothesis profile {chosen!r}, max_examples={settings().max_examples}"
    )
