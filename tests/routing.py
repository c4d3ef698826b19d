"""URL rules compiled once per test process, not once per app.

werkzeug turns every URL rule of every new app into Python source and compiles it: the shop's
and its sandbox's 170-odd rules took about half of ``create_app``, which the tests call hundreds
of times. The compiled builder is a function of the rule's text and parsed parts alone (it is
bound to its rule, whose converters it calls), so apps made from the same rules share it.
"""

from werkzeug.routing.rules import Rule

_BUILDERS: dict[tuple, object] = {}


def compile_rules_once() -> None:
    """From now on, in this process, each distinct rule is compiled once.

    A werkzeug without ``Rule._compile_builder`` is left alone (the tests run, slower), and
    tests/test_suite.py says so by failing."""
    original = getattr(Rule, "_compile_builder", None)
    if original is None or getattr(original, "shared", False):
        return

    def _compile_builder(self, append_unknown: bool = True):
        if self.defaults:  # folded into the code as constants: left as werkzeug does it
            return original(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        if key not in _BUILDERS:
            _BUILDERS[key] = original(self, append_unknown)
        return _BUILDERS[key]

    _compile_builder.shared = True
    Rule._compile_builder = _compile_builder
