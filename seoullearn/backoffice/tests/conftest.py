from seoullearn.eligibility.tests.conftest import (  # noqa: F401 - shared fixtures
    learner,
    operator,
    operator_client,
    programme,
)
