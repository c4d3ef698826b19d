"""A merchant of its own that takes Kakao Pay through PortOne V1: one product, a page that calls
``IMP.request_pay``, and a route that believes nothing the browser says but asks PortOne.

    PORTONE_API_BASE=… PORTONE_SDK_URL=… PORTONE_IMP_CODE=… PORTONE_API_KEY=… \
    PORTONE_API_SECRET=… flask --app tea_shop run
"""

import os
import re
import secrets

import requests
from flask import Flask, abort, render_template_string, request, url_for

PRODUCT = {"name": "Green tea 100g", "price": 14000}
SETTINGS = (
    "PORTONE_API_BASE",
    "PORTONE_SDK_URL",
    "PORTONE_IMP_CODE",
    "PORTONE_API_KEY",
    "PORTONE_API_SECRET",
)
PAGE = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Tea shop</title>
<h1>{{ product.name }}</h1><p>{{ "{:,}".format(product.price) }}원</p>
<button type="button" id="pay">Pay with Kakao Pay</button> <p id="result" role="status"></p>
<script src="{{ config.PORTONE_SDK_URL }}"></script>
<script>
  var order = {{ order|tojson }};
  IMP.init({{ config.PORTONE_IMP_CODE|tojson }});
  document.getElementById("pay").onclick = function () {
    IMP.request_pay(order, function (rsp) {  // on a PC; a phone goes to m_redirect_url instead
      if (rsp.imp_uid) location.href = order.m_redirect_url + "?imp_uid=" + rsp.imp_uid;
      else document.getElementById("result").textContent = rsp.error_msg;
    });
  };
</script>"""
RESULT = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Tea shop</title>
<p role="status">{{ message }}</p><a href="{{ url_for('product') }}">Back to the shop</a>"""


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update({name: os.environ.get(name) for name in SETTINGS})
    app.config.update(config or {})
    prices = {}  # merchant_uid -> the amount this shop asked for it

    def payment(imp_uid: str) -> dict | None:
        """The payment as PortOne holds it: ``GET /payments/{imp_uid}`` with a fresh token."""
        base = app.config["PORTONE_API_BASE"]
        key = {
            "imp_key": app.config["PORTONE_API_KEY"],
            "imp_secret": app.config["PORTONE_API_SECRET"],
        }
        token = requests.post(f"{base}/users/getToken", json=key, timeout=5)
        token.raise_for_status()
        headers = {"Authorization": token.json()["response"]["access_token"]}
        found = requests.get(f"{base}/payments/{imp_uid}", headers=headers, timeout=5)
        if found.status_code == 404:
            return None
        found.raise_for_status()
        return found.json()["response"]

    def confirm(imp_uid: str) -> tuple[str, int]:
        """What PortOne says of ``imp_uid``: paid only if PortOne has this shop's whole price
        for one of its orders. (A real shop marks the order paid here, once.)"""
        if not re.fullmatch(r"imps?_\d{12}", imp_uid):
            abort(400)
        try:
            found = payment(imp_uid)
        except (requests.RequestException, KeyError, TypeError):
            return "PortOne could not be asked. Reload this page to try again.", 503
        price = prices.get(found["merchant_uid"]) if found else None
        if price is None:
            abort(404)
        if found["status"] != "paid":
            return f"Not paid: {found['fail_reason'] or found['status']}", 200
        if found["amount"] != price:
            return f"Refused: {found['amount']:,}원 paid for {price:,}원", 200
        return f"Paid {price:,}원. Thank you!", 200

    @app.get("/")
    def product():
        merchant_uid = f"tea_{secrets.token_hex(8)}"
        prices[merchant_uid] = PRODUCT["price"]
        order = {
            "pg": "kakaopay",
            "merchant_uid": merchant_uid,
            "name": PRODUCT["name"],
            "amount": PRODUCT["price"],
            "m_redirect_url": url_for("complete", _external=True),
            "notice_url": url_for("webhook", _external=True),
        }
        return render_template_string(PAGE, product=PRODUCT, order=order)

    @app.get("/complete")
    def complete():
        message, status = confirm(request.args.get("imp_uid", ""))
        return render_template_string(RESULT, message=message), status

    @app.post("/portone/webhook")
    def webhook():
        """PortOne's notice: only its imp_uid is read, and PortOne is asked about it."""
        return "", confirm(str((request.get_json(silent=True) or {}).get("imp_uid", "")))[1]

    return app


app = create_app()
