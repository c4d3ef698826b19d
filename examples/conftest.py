"""How this repository runs its examples: in the same Chromium as its own tests (the system's
when there is one), marked ``browser`` as they are. Each example's own code and tests use nothing
from here."""

import pytest

from tests.browser import CHROMIUM_ARGS, drives_browser, system_chromium


def pytest_collection_modifyitems(items):
    for item in items:
        if drives_browser(item) and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, pytestconfig):
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    system = system_chromium(headed=pytestconfig.getoption("--headed"))
    if system:
        args["executable_path"] = system
    return args
