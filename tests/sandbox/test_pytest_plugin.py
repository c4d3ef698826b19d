"""The pytest plugin, as a shop's test suite uses it: run with pytest's own ``pytester``, each test
here runs a small test file of a shop with the plugin on (or off) and reads its outcome."""

import re
from pathlib import Path

import pytest

import portone_sandbox

pytest_plugins = ["pytester"]

README = Path(portone_sandbox.__file__).with_name("README.md")

# What the small suites share: a buyer who pays in the window over plain HTTP (what iamport.js
# posts, then Approve), and a shop's webhook endpoint.
CONFTEST = """
import json
import re
import threading

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

DECISION = re.compile(r'action="([^"]+)" class="decision"')
KEY = re.compile(r'name="key" value="([^"]+)"')


@pytest.fixture
def pay(portone_sandbox):
    def pay(merchant_uid, amount=1000, **params):
        request_pay = {"merchant_uid": merchant_uid, "amount": amount, "name": "Tea", **params}
        window = requests.post(
            f"{portone_sandbox.base_url}/window/open",
            data={
                "imp_code": portone_sandbox.imp_code,
                "mode": "overlay",
                "origin": "http://shop.test",
                "request_id": "0123456789abcdef",
                "params": json.dumps(request_pay),
            },
            timeout=5,
        ).text
        action = DECISION.search(window).group(1)
        decision = {"key": KEY.search(window).group(1), "decision": "approve"}
        requests.post(portone_sandbox.base_url + action, data=decision, timeout=5)
        return action.rsplit("/", 1)[1]

    return pay


def token_for(sandbox):
    credentials = {"imp_key": sandbox.api_key, "imp_secret": sandbox.api_secret}
    answer = requests.post(f"{sandbox.base_url}/users/getToken", json=credentials, timeout=5)
    return answer.json()["response"]["access_token"]


@pytest.fixture(scope="session")
def webhook_url():
    received = []

    def shop(environ, start_response):
        received.append(Request(environ).get_json())
        return Response("ok")(environ, start_response)

    server = make_server("127.0.0.1", 0, shop, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/portone/webhook"
    server.shutdown()
"""

USES_THE_FIXTURE = """
def test_the_sandbox_answers(portone_sandbox):
    import requests

    token = requests.post(
        f"{portone_sandbox.base_url}/users/getToken",
        json={"imp_key": portone_sandbox.api_key, "imp_secret": portone_sandbox.api_secret},
        timeout=5,
    ).json()["response"]["access_token"]
    assert len(token) == 40
    assert portone_sandbox.sdk_url == portone_sandbox.base_url + "/v1/iamport.js"
    assert portone_sandbox.imp_code == "imp00000000"
"""


@pytest.fixture
def shop_suite(pytester):
    pytester.makeconftest(CONFTEST)
    return pytester


def run(suite, *args):
    """Run the small suite in this process; without pytest-playwright, whose per-test hooks
    cannot nest inside this suite's own."""
    return suite.runpytest("-p", "no:playwright", *args)


def test_off_unless_asked_for(shop_suite):
    shop_suite.makepyfile(USES_THE_FIXTURE)
    result = run(
        shop_suite,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'portone_sandbox' not found*"])


@pytest.mark.parametrize(
    "switch",
    [["-p", "portone_sandbox.pytest_plugin"], ["--portone-sandbox"], "ini", "both"],
    ids=["-p", "option", "ini", "both"],
)
def test_on_when_asked_for(shop_suite, switch):
    shop_suite.makepyfile(USES_THE_FIXTURE)
    if switch == "ini":
        shop_suite.makeini("[pytest]\nportone_sandbox = true\n")
        switch = []
    elif switch == "both":
        switch = ["-p", "portone_sandbox.pytest_plugin", "--portone-sandbox"]
    run(shop_suite, *switch).assert_outcomes(passed=1)


def test_each_test_starts_from_an_empty_sandbox(shop_suite):
    shop_suite.makepyfile(
        """
        import time

        def test_leaves_everything_behind(portone_sandbox, pay, webhook_url):
            imp_uid = pay("order_1", 14000, customer_uid="customer_1", notice_url=webhook_url)
            portone_sandbox.wait_for_webhooks(1)
            portone_sandbox.faults.arm("500", count=3)
            portone_sandbox.clock.advance(days=40)
            assert portone_sandbox.payment(imp_uid)["status"] == "paid"
            assert portone_sandbox.billing_key("customer_1") is not None

        def test_finds_nothing_of_it(portone_sandbox, pay):
            assert portone_sandbox.payments() == []
            assert portone_sandbox.billing_key("customer_1") is None
            assert portone_sandbox.webhooks() == []
            assert portone_sandbox.faults.list() == []
            assert abs(portone_sandbox.clock.now() - time.time()) < 5
            imp_uid = pay("order_1", 14000)
            assert portone_sandbox.payment(imp_uid)["status"] == "paid"
        """
    )
    run(shop_suite, "--portone-sandbox").assert_outcomes(passed=2)


def test_lookups(shop_suite):
    shop_suite.makepyfile(
        """
        def test_lookups(portone_sandbox, pay):
            first = pay("order_1", 1000)
            key = pay("order_2", 0, customer_uid="customer_9", buyer_name="홍길동")
            assert portone_sandbox.payment(first)["amount"] == 1000
            assert portone_sandbox.payment("imp_000000000000") is None
            assert {p["imp_uid"] for p in portone_sandbox.payments()} == {first, key}
            assert [p["imp_uid"] for p in portone_sandbox.payments("order_2")] == [key]
            assert portone_sandbox.payments(status="failed") == []
            assert portone_sandbox.billing_key("customer_9")["customer_name"] == "홍길동"
        """
    )
    run(shop_suite, "--portone-sandbox").assert_outcomes(passed=1)


def test_the_clock(shop_suite):
    shop_suite.makepyfile(
        """
        import requests
        from conftest import token_for

        def test_tokens_expire_by_the_sandbox_clock(portone_sandbox):
            base = portone_sandbox.base_url
            headers = {"Authorization": token_for(portone_sandbox)}
            before = portone_sandbox.clock.now()
            after = portone_sandbox.clock.advance(days=1, hours=1, minutes=1, seconds=1)
            assert after - before in (90061, 90062)
            listed = requests.get(f"{base}/payments/status/all", headers=headers, timeout=5)
            assert listed.status_code == 401
        """
    )
    run(shop_suite, "--portone-sandbox").assert_outcomes(passed=1)


def test_webhooks(shop_suite):
    shop_suite.makepyfile(
        """
        import pytest

        def test_waits_for_the_webhooks(portone_sandbox, pay, webhook_url):
            imp_uid = pay("order_1", notice_url=webhook_url)
            [delivery] = portone_sandbox.wait_for_webhooks(1)
            assert delivery["body"] == {
                "imp_uid": imp_uid, "merchant_uid": "order_1", "status": "paid"
            }
            assert (delivery["url"], delivery["result"]) == (webhook_url, "delivered")

        def test_says_what_it_saw_when_they_do_not_come(portone_sandbox, pay, webhook_url):
            portone_sandbox.faults.arm("reorder")
            pay("order_1", notice_url=webhook_url)
            with pytest.raises(AssertionError, match="expected 1 webhook.*'result': 'held'"):
                portone_sandbox.wait_for_webhooks(1, timeout=1)
        """
    )
    run(shop_suite, "--portone-sandbox").assert_outcomes(passed=2)


def test_faults(shop_suite):
    shop_suite.makepyfile(
        """
        import pytest
        import requests
        from conftest import token_for
        from portone_sandbox.pytest_plugin import SandboxError

        def test_armed_faults_fail_the_shops_calls(portone_sandbox, pay):
            imp_uid = pay("order_1")
            base = portone_sandbox.base_url
            headers = {"Authorization": token_for(portone_sandbox)}
            portone_sandbox.faults.arm("500", count=2, endpoint="GET /payments/{imp_uid}")
            assert portone_sandbox.payment(imp_uid)["status"] == "paid"
            for _ in range(2):
                answer = requests.get(f"{base}/payments/{imp_uid}", headers=headers, timeout=5)
                assert answer.status_code == 500
            assert requests.get(f"{base}/payments/{imp_uid}", headers=headers, timeout=5).ok
            assert [fault["remaining"] for fault in portone_sandbox.faults.list()] == [0]
            portone_sandbox.faults.clear()
            assert portone_sandbox.faults.list() == []

        def test_a_bad_fault_is_refused(portone_sandbox):
            with pytest.raises(SandboxError, match="HTTP 400"):
                portone_sandbox.faults.arm("flood")
        """
    )
    run(shop_suite, "--portone-sandbox").assert_outcomes(passed=2)


def test_settings_for_the_sandbox(shop_suite):
    shop_suite.makeconftest(
        CONFTEST
        + """
@pytest.fixture(scope="session")
def portone_sandbox_config(webhook_url):
    return {"SANDBOX_WEBHOOK_URL": webhook_url, "SANDBOX_IMP_CODE": "imp12345678"}
"""
    )
    shop_suite.makepyfile(
        """
        def test_the_console_url_gets_the_webhooks(portone_sandbox, pay, webhook_url):
            assert portone_sandbox.imp_code == "imp12345678"
            pay("order_1")
            assert portone_sandbox.wait_for_webhooks(1)[0]["url"] == webhook_url
        """
    )
    run(shop_suite, "--portone-sandbox").assert_outcomes(passed=1)


# The machine's Chromium, as this repository's own suite launches it.
CHROMIUM = """
import shutil

import pytest


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = {**browser_type_launch_args, "args": ["--no-sandbox", "--disable-gpu"]}
    system = shutil.which("chromium") or shutil.which("chromium-browser")
    if system:
        args["executable_path"] = system
    return args
"""


def test_the_readme_example_passes(pytester):
    """The complete test the README shows, as a new user would copy it."""
    example = re.search(r"```python\n(# test_kakao_pay\.py.*?)```", README.read_text(), re.S)
    assert example, "the README's complete test is missing"
    assert len(example.group(1).splitlines()) <= 40
    pytester.makepyfile(test_kakao_pay=example.group(1))
    pytester.makeconftest(CHROMIUM)
    # A process of its own: a second pytest-playwright session cannot run inside this one.
    result = pytester.runpytest_subprocess("--portone-sandbox")
    result.assert_outcomes(passed=1)
