"""The saved Kakao Pay: a billing key registered in the window, verified with PortOne, shown,
replaced and removed; no one but its owner can do any of it."""

from contextlib import contextmanager

import pytest

from shop.portone import PortOneClient, PortOneUnavailable
from tests.shop import fake_portone
from tests.shop.account_actions import (
    account,
    complete_key,
    customer,
    key_window,
    keys,
    portone_api,
    save_kakao_pay,
)
from tests.shop.actions import ELSEWHERE, ShopActions


@pytest.fixture
def buyer(shop) -> ShopActions:
    return customer(shop)


@pytest.fixture
def stranger(app) -> ShopActions:
    return customer(ShopActions(app, app.test_client()), "other@example.com")


def at_portone(app, customer_uid: str) -> dict | None:
    """The billing key PortOne holds under ``customer_uid``, or None."""
    answer = portone_api(app, "GET", f"/subscribe/customers/{customer_uid}")
    return answer.json["response"] if answer.status_code == 200 else None


@contextmanager
def unreachable_portone(app):
    working = app.extensions["portone"]
    app.extensions["portone"] = PortOneClient("http://127.0.0.1:9", "k", "s", timeout=(0.5, 1))
    try:
        yield
    finally:
        app.extensions["portone"] = working


def test_the_window_asks_for_a_key_only_under_a_customer_uid_of_the_servers(buyer):
    params = key_window(buyer)
    user = account(buyer.app)
    assert params["customer_uid"] == user.next_customer_uid
    assert params["customer_uid"].startswith("cu_")
    assert len(params["customer_uid"]) >= 32
    assert (params["pg"], params["pay_method"], params["amount"]) == ("kakaopay", "card", 0)
    assert (params["buyer_name"], params["buyer_email"]) == ("김민지", "minji@example.com")
    assert params["m_redirect_url"] == "http://localhost/account/kakao-pay/complete"
    assert params["merchant_uid"] != key_window(buyer)["merchant_uid"]


def test_save_on_a_pc_stores_what_portone_shows(buyer):
    customer_uid = key_window(buyer)["customer_uid"]
    response = save_kakao_pay(buyer, pay_with="card")
    assert response.json == {"saved": True, "redirect": "/account/"}

    held = at_portone(buyer.app, customer_uid)
    [key] = keys(buyer.app)
    assert (key.customer_uid, key.pg_provider) == (customer_uid, "kakaopay")
    assert (key.card_name, key.card_number) == (held["card_name"], held["card_number"])
    assert "******" in key.card_number
    assert key.inserted_at.timestamp() == pytest.approx(held["inserted"], abs=1)
    page = buyer.client.get("/account/").get_data(as_text=True)
    assert "Kakao Pay is saved." in page
    assert f"Kakao Pay ({held['card_name']} {held['card_number']})" in page
    assert ">Replace</button>" in page
    assert "Remove saved Kakao Pay" in page
    # The next window would register under a new name.
    assert account(buyer.app).next_customer_uid != customer_uid


def test_save_on_a_phone_comes_back_through_the_redirect(buyer):
    response = save_kakao_pay(buyer, pay_with="point", phone=True)
    assert (response.status_code, response.headers["Location"]) == (303, "/account/")
    [key] = keys(buyer.app)
    assert (key.card_name, key.card_number) == (None, None)
    assert "Kakao Pay (KakaoMoney)" in buyer.client.get("/account/").get_data(as_text=True)


@pytest.mark.parametrize("phone", [False, True])
def test_a_completion_without_an_approved_window_changes_nothing(buyer, phone):
    lie = {"imp_uid": "imp_123456789012", "imp_success": "true", "success": True}
    complete_key(buyer, lie, phone=phone)
    assert keys(buyer.app) == []
    page = buyer.client.get("/account/").get_data(as_text=True)
    assert "Kakao Pay did not save a payment method, so nothing changed." in page


@pytest.mark.parametrize("decision", ["cancel", "decline"])
def test_a_closed_or_declined_window_saves_nothing(buyer, decision):
    response = save_kakao_pay(buyer, decision=decision)
    assert response.json["saved"] is False
    assert keys(buyer.app) == []


def test_a_customer_uid_from_the_browser_is_ignored(buyer):
    # The page's parameters are edited to register the key under a name of the browser's.
    chosen = "cu_chosen_by_the_browser"
    params = {**key_window(buyer), "customer_uid": chosen}
    query = buyer.decide_in_window(params, pay_with="card")
    assert at_portone(buyer.app, chosen) is not None
    answer = complete_key(buyer, {**query, "customer_uid": chosen})
    assert answer.json["saved"] is False
    assert keys(buyer.app) == []


def test_someone_elses_completion_takes_nothing(buyer, stranger):
    query = buyer.decide_in_window(key_window(buyer), pay_with="card")
    assert complete_key(stranger, query).json["saved"] is False
    assert keys(buyer.app) == []
    assert complete_key(buyer, query).json["saved"] is True
    assert [key.user_id for key in keys(buyer.app)] == [account(buyer.app).id]


def test_replace_registers_a_new_key_then_deletes_the_old_one_at_portone(buyer):
    save_kakao_pay(buyer, pay_with="card")
    [old] = keys(buyer.app)
    response = save_kakao_pay(buyer, pay_with="point")
    assert response.json["saved"] is True
    [new] = keys(buyer.app)
    assert new.customer_uid != old.customer_uid
    assert at_portone(buyer.app, old.customer_uid) is None
    assert at_portone(buyer.app, new.customer_uid)["card_name"] is None
    page = buyer.client.get("/account/").get_data(as_text=True)
    assert "Your saved Kakao Pay was replaced." in page
    assert "Kakao Pay (KakaoMoney)" in page


def test_a_replacement_closed_midway_keeps_the_working_key(buyer):
    save_kakao_pay(buyer, pay_with="card")
    [old] = keys(buyer.app)
    response = save_kakao_pay(buyer, decision="cancel")
    assert response.json["saved"] is False
    assert [key.customer_uid for key in keys(buyer.app)] == [old.customer_uid]
    assert at_portone(buyer.app, old.customer_uid) is not None
    assert "Your saved Kakao Pay is unchanged." in buyer.client.get("/account/").get_data(
        as_text=True
    )


def test_an_old_key_portone_could_not_delete_is_kept_until_it_can(buyer, monkeypatch):
    save_kakao_pay(buyer, pay_with="card")
    [old] = keys(buyer.app)
    client = buyer.app.extensions["portone"]

    def down(customer_uid):
        raise PortOneUnavailable("PortOne unreachable")

    monkeypatch.setattr(client, "delete_customer", down)
    assert save_kakao_pay(buyer, pay_with="point").json["saved"] is True
    page = buyer.client.get("/account/").get_data(as_text=True)
    assert "Your previous Kakao Pay" in page
    assert "Remove previous Kakao Pay" in page
    assert len(keys(buyer.app)) == 2
    assert at_portone(buyer.app, old.customer_uid) is not None

    monkeypatch.undo()
    assert buyer.post("/account/kakao-pay/previous/remove", {}).status_code == 303
    assert at_portone(buyer.app, old.customer_uid) is None
    [left] = keys(buyer.app)
    assert left.customer_uid != old.customer_uid
    assert not left.replaced


def test_remove_asks_first_then_deletes_the_key_at_portone(buyer):
    save_kakao_pay(buyer)
    [key] = keys(buyer.app)
    confirm = buyer.client.get("/account/kakao-pay/remove").get_data(as_text=True)
    assert "Remove saved Kakao Pay?" in confirm
    assert (
        '<button type="submit" class="btn btn-primary">Remove saved Kakao Pay</button>' in confirm
    )
    assert at_portone(buyer.app, key.customer_uid) is not None

    assert buyer.post("/account/kakao-pay/remove", {}).status_code == 303
    assert at_portone(buyer.app, key.customer_uid) is None
    assert keys(buyer.app) == []
    page = buyer.client.get("/account/").get_data(as_text=True)
    assert "Your saved Kakao Pay was removed." in page
    assert ">Save Kakao Pay</button>" in page


def test_remove_while_portone_is_unreachable_keeps_the_key(buyer):
    save_kakao_pay(buyer)
    with unreachable_portone(buyer.app):
        assert buyer.post("/account/kakao-pay/remove", {}).status_code == 303
    assert len(keys(buyer.app)) == 1
    assert "still there" in buyer.client.get("/account/").get_data(as_text=True)


def test_remove_from_elsewhere_needs_the_form(buyer):
    save_kakao_pay(buyer)
    assert buyer.client.post("/account/kakao-pay/remove", headers=ELSEWHERE).status_code == 400
    assert len(keys(buyer.app)) == 1


def test_no_one_else_can_see_replace_or_remove_my_key(buyer, stranger):
    save_kakao_pay(buyer, pay_with="card")
    [key] = keys(buyer.app)
    assert key.customer_uid not in stranger.client.get("/account/").get_data(as_text=True)
    assert key.card_number not in stranger.client.get("/account/").get_data(as_text=True)
    stranger.post("/account/kakao-pay/remove", {})
    stranger.post("/account/kakao-pay/previous/remove", {})
    save_kakao_pay(stranger, pay_with="point")
    assert at_portone(buyer.app, key.customer_uid) is not None
    mine = [k for k in keys(buyer.app) if k.user_id == account(buyer.app).id]
    assert [k.customer_uid for k in mine] == [key.customer_uid]


def test_the_customer_uid_never_reaches_another_page(buyer):
    save_kakao_pay(buyer)
    [key] = keys(buyer.app)
    for path in ("/", "/account/", "/account/orders", "/products/jeju-green-tea"):
        assert key.customer_uid not in buyer.client.get(path).get_data(as_text=True)


def test_the_account_pages_need_an_account(shop):
    for path in ("/account/", "/account/kakao-pay/remove", "/account/kakao-pay/complete"):
        response = shop.client.get(path)
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/account/login")


def test_an_answer_that_is_not_the_key_asked_for_stores_nothing(buyer):
    other = {"customer_uid": "cu_someone_else", "pg_provider": "kakaopay", "inserted": 1}
    working = buyer.app.extensions["portone"]
    with fake_portone.answering(other) as odd:
        buyer.app.extensions["portone"] = odd
        try:
            assert complete_key(buyer).json["saved"] is False
        finally:
            buyer.app.extensions["portone"] = working
    assert keys(buyer.app) == []


def test_portone_unreachable_at_completion_changes_nothing(buyer):
    query = buyer.decide_in_window(key_window(buyer), pay_with="card")
    with unreachable_portone(buyer.app):
        assert complete_key(buyer, query).json["saved"] is False
    assert keys(buyer.app) == []
    assert "could not be reached" in buyer.client.get("/account/").get_data(as_text=True)
    # The key PortOne registered is adopted at the next completion.
    assert complete_key(buyer, query).json["saved"] is True
