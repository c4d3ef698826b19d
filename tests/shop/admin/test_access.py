"""Admin pages need an admin: every route of the admin blueprint, found by walking the URL map."""

import pytest

from shop.extensions import db
from shop.models import User
from tests.shop.account_actions import sign_up
from tests.shop.actions import ELSEWHERE

# Routes this file must find; a walk that finds fewer cannot pass by finding none.
KNOWN = {"admin.index", "admin.orders", "admin.order", "admin.refund"}


def admin_requests(app, order_id: int) -> list[tuple[str, str]]:
    """(method, path) for every method of every admin route, with an existing order's id."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != "admin":
            continue
        values = {name: order_id for name in rule.arguments}
        with app.test_request_context():
            path = app.url_for(rule.endpoint, **values)
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


@pytest.fixture
def routes(app, paid):
    found = admin_requests(app, paid.id)
    endpoints = {app.url_map.bind("localhost").match(path, method)[0] for method, path in found}
    assert endpoints >= KNOWN
    return found


def knock(visitor, method: str, path: str):
    """Ask as ``visitor``'s browser would: forms posted with a valid CSRF token."""
    if method == "POST":
        return visitor.post(path, {"amount": "1000", "reason": "test", "balance": "1"})
    return visitor.client.open(path, method=method)


def test_an_anonymous_visitor_is_sent_to_log_in_everywhere(open_browser, routes):
    visitor = open_browser()
    for method, path in routes:
        response = knock(visitor, method, path)
        assert response.status_code in (302, 303), (method, path, response.status_code)
        assert response.headers["Location"].startswith("/account/login"), (method, path)


def test_a_buyer_who_is_not_an_admin_is_refused_everywhere(open_browser, routes):
    buyer = open_browser()
    assert sign_up(buyer, "buyer@example.com").status_code == 303
    for method, path in routes:
        response = knock(buyer, method, path)
        assert response.status_code == 403, (method, path, response.status_code)


def test_an_admin_is_let_in_everywhere(admin, routes):
    for method, path in routes:
        response = knock(admin, method, path)
        if method == "GET":
            assert response.status_code < 400, (method, path, response.status_code)
        # The post's refund is refused for its stale balance, not for who sent it.
        assert response.status_code not in (401, 403), (method, path)
        assert not response.headers.get("Location", "").startswith("/account/login")


def test_a_script_without_a_session_gets_a_401(client, paid):
    response = client.get(f"/admin/orders/{paid.id}", headers={"Accept": "application/json"})
    assert response.status_code == 401


def test_a_demoted_admin_is_refused_at_once(app, admin):
    with app.app_context():
        db.session.execute(db.update(User).values(is_admin=False))
        db.session.commit()
    assert admin.client.get("/admin/orders").status_code == 403


def test_only_an_admin_sees_the_admin_link(admin, open_browser):
    buyer = open_browser()
    assert sign_up(buyer, "buyer@example.com").status_code == 303
    assert 'href="/admin/orders"' not in buyer.client.get("/").get_data(as_text=True)
    assert 'href="/admin/orders"' not in open_browser().client.get("/").get_data(as_text=True)
    assert 'href="/admin/orders">Admin</a>' in admin.client.get("/").get_data(as_text=True)


def test_a_refund_posted_without_a_csrf_token_from_elsewhere_is_refused(admin, paid):
    response = admin.client.post(
        f"/admin/orders/{paid.id}/refund",
        data={"amount": "1000", "reason": "test", "balance": str(paid.placed.amount)},
        headers=ELSEWHERE,
    )
    assert response.status_code == 400
    assert "Your session expired or the form was tampered with" in response.get_data(as_text=True)
