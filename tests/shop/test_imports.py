"""Every module of the shop can be the first one imported (a script, a worker, a fork's
command): no import cycle hides behind the order in which ``create_app`` happens to load them."""

import pkgutil
import subprocess
import sys

import shop
from tests.servers import ROOT

# In one interpreter, each module imported with none of the shop's loaded before it.
IMPORT_EACH_FIRST = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "shop" or m.startswith("shop.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as error:
        failed.append(f"{name}: {error}")
print("\\n".join(failed))
"""


def test_every_module_of_the_shop_imports_first():
    names = [m.name for m in pkgutil.walk_packages(shop.__path__, "shop.")]
    assert "shop.subscriptions.clock" in names
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_FIRST, *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
