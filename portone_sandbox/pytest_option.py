"""The ``pytest11`` entry point: it only adds the switch that turns the sandbox's pytest plugin
(``portone_sandbox.pytest_plugin``) on, so installing the package changes nobody's tests.

On with ``--portone-sandbox``, or ``portone_sandbox = true`` in the ini file; loading the plugin
itself (``-p portone_sandbox.pytest_plugin``) works as well.
"""

PLUGIN = "portone_sandbox.pytest_plugin"


def pytest_addoption(parser) -> None:
    help_text = "serve the PortOne V1 sandbox for the tests (the portone_sandbox fixture)"
    parser.addoption("--portone-sandbox", action="store_true", help=help_text)
    parser.addini("portone_sandbox", help=help_text, type="bool", default=False)


def pytest_configure(config) -> None:
    if config.getoption("portone_sandbox") or config.getini("portone_sandbox"):
        config.pluginmanager.import_plugin(PLUGIN)
