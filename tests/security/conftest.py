import pytest


@pytest.fixture(autouse=True)
def _scanned(scanner):
    """The world attaches documents through the service, which scans them: the private clamd runs for these tests."""
    return scanner
