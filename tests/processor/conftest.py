"""The processor's tests that dispatch what they queued read the notifier tests' secrets."""

from tests.notifiers.conftest import notifier_secrets  # noqa: F401 - autouse fixture
