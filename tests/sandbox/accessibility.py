"""axe-core (bundled with axe-playwright-python) over a page or one of its frames: the
violations that block a person, serious or critical, in words a failing assertion can show."""

from axe_playwright_python.sync_playwright import Axe

BLOCKING = ("serious", "critical")
_axe = Axe()


def blocking_violations(target) -> list[str]:
    """Each serious or critical violation of axe's rules in ``target`` (a Playwright ``Page`` or
    ``Frame``), with the elements at fault. Frames inside it are checked on their own."""
    results = _axe.run(target, options={"resultTypes": ["violations"], "iframes": False})
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        f"{[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]
