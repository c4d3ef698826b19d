"""Faults on the dashboard: armed and cleared with its forms (CSRF, same origin), shown while
armed, in a browser too."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.sandbox.contract import refused
from tests.sandbox_controls import control

CSRF_FIELD = re.compile(
    r'<form method="post" action="([^"]+)"[^>]*>\s*'
    r'<input name="csrf_token" type="hidden" value="([^"]+)"'
)


class Dashboard:
    """A browser on the dashboard: its cookie, and the forms its page shows by action."""

    def __init__(self, url: str):
        self.url = url
        self.browser = requests.Session()

    def page(self) -> str:
        return self.browser.get(f"{self.url}/", timeout=5).text

    def submit(self, action: str, origin: str | None = None, token: bool = True, **fields):
        """Post the form whose action is ``action`` as the browser would, from ``origin``."""
        forms = dict(CSRF_FIELD.findall(self.page()))
        assert action in forms, forms
        if token:
            fields["csrf_token"] = forms[action]
        return self.browser.post(
            self.url + action,
            data=fields,
            headers={"Origin": origin or self.url},
            allow_redirects=False,
            timeout=5,
        )


def armed(sandbox) -> list[dict]:
    faults = control("GET", f"{sandbox.url}/_sandbox/faults").json()["faults"]
    return [fault for fault in faults if fault["remaining"]]


def test_arm_from_the_dashboard_and_see_it_while_armed(sandbox):
    dashboard = Dashboard(sandbox.url)
    assert "Faults armed" not in dashboard.page()
    response = dashboard.submit(
        "/console/faults", kind="500", count="2", endpoint="GET /payments/{imp_uid}"
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/#faults")

    page = dashboard.page()
    assert "Faults armed: 1" in page
    assert "HTTP 500 · GET /payments/{imp_uid} · 2 of 2 left" in page
    assert [(f["kind"], f["endpoint"], f["count"]) for f in armed(sandbox)] == [
        ("500", "GET /payments/{imp_uid}", 2)
    ]


def test_fields_that_do_not_apply_to_the_kind_are_ignored(sandbox):
    dashboard = Dashboard(sandbox.url)
    dashboard.submit(
        "/console/faults", kind="drop", count="1", endpoint="POST /users/getToken", delay="3"
    )
    dashboard.submit("/console/faults", kind="hang", count="1", delay="2.5", copies="4")
    dashboard.submit("/console/faults", kind="duplicate", count="1", copies="")
    faults = [(f["kind"], f["endpoint"], f["delay"], f["copies"]) for f in armed(sandbox)]
    assert faults == [
        ("drop", None, None, None),
        ("hang", None, 2.5, None),
        ("duplicate", None, None, 2),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "500", "count": "0"}, "Times"),
        ({"kind": "flood", "count": "1"}, "Fault"),
        ({"kind": "hang", "count": "1", "delay": "3600"}, "delay"),
        ({"kind": "500", "count": "1", "endpoint": "GET /_sandbox/clock"}, "Endpoint"),
    ],
)
def test_bad_fields_are_explained_and_arm_nothing(sandbox, fields, message):
    dashboard = Dashboard(sandbox.url)
    response = dashboard.submit("/console/faults", **fields)
    assert response.status_code == 303
    notice = re.search(r'<p class="notice" role="status">(.*?)</p>', dashboard.page())
    assert notice, "no message on the dashboard"
    assert message in notice.group(1)
    assert armed(sandbox) == []


def test_clear_faults_from_the_dashboard(sandbox):
    dashboard = Dashboard(sandbox.url)
    dashboard.submit("/console/faults", kind="401", count="3")
    dashboard.submit("/console/faults", kind="reorder", count="1")
    response = dashboard.submit("/console/faults/clear")
    assert response.status_code == 303
    page = dashboard.page()
    assert "장애 설정 2건을 지웠습니다." in page
    assert "Faults armed" not in page
    assert armed(sandbox) == []


@pytest.mark.parametrize("action", ["/console/faults", "/console/faults/clear"])
def test_the_fault_forms_refuse_other_sites_and_missing_tokens(sandbox, action):
    control("POST", f"{sandbox.url}/_sandbox/faults", json={"kind": "drop"}).raise_for_status()
    dashboard = Dashboard(sandbox.url)
    fields = {"kind": "500", "count": "5"}
    other_site = dashboard.submit(action, origin="https://attacker.example", **fields)
    assert other_site.status_code == 403
    no_token = dashboard.submit(action, token=False, **fields)
    assert no_token.status_code == 400
    assert [fault["kind"] for fault in armed(sandbox)] == ["drop"]


def test_a_fault_armed_in_the_browser_fails_the_next_call(page, sandbox, api):
    page.goto(f"{sandbox.url}/")
    faults = page.get_by_role("region", name=re.compile("장애 주입"))
    faults.get_by_label("Fault", exact=True).select_option(label="HTTP 500")
    faults.get_by_label("Endpoint (API faults)").select_option(
        "GET /payments/status/{payment_status}"
    )
    faults.get_by_label("Times").fill("1")
    faults.get_by_role("button", name="Arm fault").click()

    expect(page.get_by_role("link", name="Faults armed: 1")).to_be_visible()
    expect(page.get_by_role("list", name="Armed faults")).to_contain_text(
        "GET /payments/status/{payment_status} · 1 of 1 left"
    )
    refused(api.get("/payments/status/all"), status=500, code=-1)
    page.reload()
    expect(page.get_by_role("link", name="Faults armed: 1")).to_have_count(0)
    expect(faults.get_by_text("설정된 장애가 없습니다")).to_be_visible()
