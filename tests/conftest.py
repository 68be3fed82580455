"""Test configuration: hypothesis profiles chosen by the HYPOTHESIS_PROFILE variable.

``dev`` (default) keeps the suite quick on a laptop; ``ci`` runs more examples, still bounded so
the whole suite stays within a few minutes on two cores. Both are deterministic per test run
only through the database-free ``derandomize`` setting in ``ci``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
