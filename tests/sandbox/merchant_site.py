"""A plain merchant site on its own origin that loads the sandbox's ``iamport.js`` the way any shop
would, and runs the two ``IMP.request_pay`` snippets of PortOne's Kakao Pay guide. Also a small
client for the sandbox's REST API, so tests check outcomes the way a merchant's server does."""

import requests
from flask import Flask, render_template_string, request

IMP_CODE = "imp00000000"

# The guide's snippets verbatim except for the placeholders, and the callbacks keep ``rsp`` in
# ``window.__rsp`` for the test to read.
PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Test merchant</title></head>
<body>
<h1>Test merchant</h1>
<button type="button" id="pay">Pay 14,000원</button>
<button type="button" id="subscribe">Register Kakao Pay</button>
<script src="{{ sdk_url }}"></script>
<script>
var IMP = window.IMP;
{% if imp_code %}IMP.init({{ imp_code|tojson }});{% endif %}

document.getElementById("pay").addEventListener("click", function () {
IMP.request_pay({
    pg : 'kakaopay',
    pay_method : 'card',  // Can be omitted
    merchant_uid: {{ merchant_uid|tojson }}, //Example: order_no_0001
    name : 'Order name: Test payment',
    amount : 14000,
    buyer_email : 'iamport@siot.do',
    buyer_name : 'Customer name',
    buyer_tel : '010-1234-5678',
    buyer_addr : 'Samseong-dong, Gangnam-gu, Seoul',
    buyer_postcode : '123-456',
    m_redirect_url : {{ m_redirect_url|tojson }} //Example: http://yourservice.com/payments/complete
}, function(rsp) { // callback logic
    window.__rsp = rsp;
});
});

document.getElementById("subscribe").addEventListener("click", function () {
IMP.request_pay({
    pg : 'kakaopay',
    merchant_uid : {{ merchant_uid|tojson }}, // Example: issue_billingkey_monthly_0001
    name : 'Order name: Billing key request test',
    amount : 0, // For display purpose only (set actual amount to also request payment approval).
    customer_uid : {{ customer_uid|tojson }}, // Required (Example: gildong_0001_1234)
    buyer_email: "johndoe@gmail.com",
    buyer_name: "John Doe",
    buyer_tel : '02-1234-1234',
    m_redirect_url : {{ m_redirect_url|tojson }} // Example: https://www.my-service.com/payments/complete/mobile
}, function(rsp) {
    window.__rsp = rsp;
    if ( rsp.success ) {
        alert('Success');
    } else {
        alert('Failed');
    }
});
});

// Any other request, for the cases the guide's snippets do not cover.
window.payWith = function (params) {
    IMP.request_pay(params, function (rsp) { window.__rsp = rsp; });
};
</script>
</body>
</html>
"""

COMPLETE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Payment complete</title></head>
<body><h1>Back at the merchant</h1></body></html>
"""


def create_app(sandbox_url: str) -> Flask:
    """The merchant site. ``/`` takes ``merchant_uid``, ``customer_uid`` and ``imp_code`` (empty
    to skip ``IMP.init``) in its query; ``/complete`` is the ``m_redirect_url``."""
    app = Flask(__name__)

    @app.get("/")
    def checkout():
        return render_template_string(
            PAGE,
            sdk_url=f"{sandbox_url}/v1/iamport.js",
            imp_code=request.args.get("imp_code", IMP_CODE),
            merchant_uid=request.args.get("merchant_uid", "order_no_0001"),
            customer_uid=request.args.get("customer_uid", "gildong_0001_1234"),
            m_redirect_url=request.url_root + "complete?shop=test",
        )

    @app.get("/complete")
    def complete():
        return COMPLETE

    return app


class PortOneApi:
    """The sandbox's REST API as a merchant's server calls it, with a token from getToken."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.token = None
        answer = self.call(
            "POST",
            "/users/getToken",
            json={"imp_key": "sandbox-key", "imp_secret": "sandbox-secret"},
        )
        self.token = answer["response"]["access_token"]

    def call(self, method: str, path: str, **kwargs) -> dict:
        """The envelope of one call, with the HTTP status added as ``status``."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = requests.request(
            method, self.base_url + path, headers=headers, timeout=5, **kwargs
        )
        return {"status": response.status_code, **response.json()}

    def payment(self, imp_uid: str) -> dict:
        answer = self.call("GET", f"/payments/{imp_uid}")
        assert answer["code"] == 0, answer
        return answer["response"]
