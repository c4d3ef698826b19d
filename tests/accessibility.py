"""axe-core (bundled with axe-playwright-python) over a page or one of its frames: the
violations that block a person, serious or critical, in words a failing assertion can show."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext

BLOCKING = ("serious", "critical")
RUN = "() => axe.run(document, {resultTypes: ['violations'], iframes: false})"
_axe = Axe()


def load_axe_in(context: BrowserContext) -> None:
    """Give every page of ``context`` axe as it loads: sent to the browser once, not per check."""
    context.add_init_script(_axe.axe_script)


def start_axe(page) -> None:
    """Set axe going in ``page`` (which ``load_axe_in`` gave it) without waiting for it, so
    that several pages are checked at once; ``blocking_violations(page)`` then collects."""
    page.evaluate(f"() => {{ window.axeRun = ({RUN})(); }}")


def blocking_violations(target) -> list[str]:
    """Each serious or critical violation of axe's rules in ``target`` (a Playwright ``Page`` or
    ``Frame``), with the elements at fault. Frames inside it are checked on their own."""
    if not target.evaluate("typeof axe !== 'undefined'"):
        target.evaluate(_axe.axe_script)
    results = target.evaluate(
        f"() => {{ const run = window.axeRun || ({RUN})(); window.axeRun = null; return run; }}"
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        f"{[node['target'] for node in violation['nodes']]}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]
