"""Test configuration: hypothesis profiles chosen by the HYPOTHESIS_PROFILE variable.

``dev`` (default) keeps the suite quick on a laptop; ``ci`` runs more examples, derandomized
(the same examples on every run), without shrinking, so the whole suite stays within about five
minutes on two cores.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

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
    # fail fast: no shrinking in CI, so a failure cannot stretch the run past its time budget
    # (the printed blob reproduces it locally, where the dev profile shrinks it)
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
