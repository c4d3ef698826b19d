"""The money path as the buyer walks it.

checkout form → ``place_order`` (pending order, PortOne prepare) → ``IMP.request_pay`` on the
checkout page itself (its script asks for JSON), or on the payment page without it → one of
three doors → ``notified`` (``sync_payment`` unless the order is paid by that payment already)
→ the order's page. Each door answers from the order's state after the sync, never from what
it was sent. A cancelled or declined window leads back to the same order, ready to be paid
again.
"""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from shop import limits
from shop.cart import CartLine, cart_lines, check_stock, clear_cart, find_product
from shop.cart.forms import QuantityForm
from shop.catalog.pages import product_page
from shop.checkout import bp
from shop.checkout.delivery import shown_memo
from shop.checkout.forms import CheckoutForm
from shop.checkout.orders import RETRYABLE, OrderError, place_again, place_order
from shop.checkout.payment_request import payment_method, request_pay_params
from shop.checkout.placed import last_buyer, placed_here, placed_order, remember
from shop.checkout.timeline import timeline
from shop.checkout.window_errors import failed_try, window_error
from shop.errors import wants_json
from shop.extensions import csrf, db
from shop.forms import EmptyForm
from shop.models import Order, OrderStatus, Product
from shop.payments import PAYABLE, SyncOutcome, notified, sync_order
from shop.portone import is_imp_uid
from shop.shipping import charges

NOT_AN_IMP_UID = _l("imp_uid is not a PortOne payment id.")
# The one answer for a payment of no order, of another shop, or of an order placed elsewhere,
# so a door tells a stranger nothing about an imp_uid or merchant_uid they copied.
NOT_PLACED_HERE = _l(
    "We can't show that payment here: an order is shown only in the browser that placed it."
)


@bp.app_context_processor
def order_context() -> dict:
    """For every template: ``OrderStatus``, so pages compare an order's status by name, and
    ``payment_method(order)``, what its payment is called."""
    return {"OrderStatus": OrderStatus, "payment_method": payment_method}


# A global, not a context variable: the macros of checkout/_delivery.html are imported
# without the page's context.
bp.add_app_template_global(shown_memo)


# Checkout ------------------------------------------------------------------------------


@bp.post("/checkout/buy-now")
def buy_now():
    """One product, straight to checkout, leaving the cart as it is.

    The product page's form, sent by its other button: a refused quantity goes back to the
    page with the error where "Add to cart" would show it.
    """
    form = QuantityForm()
    try:
        product = find_product(form.product_id.data)
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("catalog.index"), 303)
    if form.validate_on_submit():
        try:
            check_stock(product, form.quantity.data)
        except ValueError as exc:
            form.quantity.errors.append(str(exc))
        else:
            session["buy_now"] = {"product_id": product.id, "quantity": form.quantity.data}
            return redirect(url_for("checkout.start", buy="now"), 303)
    return product_page(product, form), 400


@bp.route("/checkout", methods=["GET", "POST"])
@limits.orders
def start():
    """The checkout form; submitted, it places the order.

    The page's script asks for JSON and opens Kakao Pay's window with the answer, on the same
    page. Without it the buyer is sent to the order's payment page, which opens it.
    """
    buy_now = request.args.get("buy") == "now"
    lines = _buy_now_lines() if buy_now else cart_lines()
    if not lines:
        message = _("Your cart is empty.") if not buy_now else _("Choose a product first.")
        if wants_json():
            return jsonify(error=message), 409
        flash(message, "info")
        return redirect(url_for("cart.view"))

    form = CheckoutForm(data=_known_buyer())
    if form.validate_on_submit():
        try:
            order = place_order(lines, form.order_fields(), user_id=_user_id())
        except OrderError as exc:
            if wants_json():
                return jsonify(error=str(exc)), 409
            flash(str(exc), "error")
            return _checkout_page(form, lines), 409
        remember(order)
        session["checkout"] = {"order": order.token, "source": "buy_now" if buy_now else "cart"}
        if wants_json():
            return jsonify(
                params=request_pay_params(order),
                pay_url=url_for("checkout.pay", token=order.token),
                order_url=url_for("checkout.order", token=order.token),
            )
        return redirect(url_for("checkout.pay", token=order.token), 303)
    if form.is_submitted():
        # The script then sends the form itself, and the page shows each error by its field.
        if wants_json():
            return jsonify(errors=form.errors), 400
        return _checkout_page(form, lines), 400
    return _checkout_page(form, lines)


@bp.get("/orders/<token>/pay")
def pay(token: str):
    """The payment step: the order as the server priced it, and the Kakao Pay button.

    Where a cancelled or declined window leads (the same order, paid again with the same
    merchant_uid, which PortOne allows until a payment of it succeeds), and the checkout's
    own page without JavaScript.
    """
    order = _order_or_404(token)
    _expire_if_overdue(order)
    if not _payable(order):
        return redirect(url_for("checkout.order", token=order.token))
    failed = order.status == OrderStatus.FAILED
    return _opens_the_window(
        render_template(
            "checkout/pay.html",
            order=order,
            rows=_order_rows(order),
            failed_try=failed_try(order.fail_reason) if failed else None,
            params=request_pay_params(order),
            **_sdk(),
        )
    )


# The three doors ------------------------------------------------------------------------


@bp.post("/checkout/complete")
def complete():
    """PC door: the page's callback posts ``imp_uid``; the answer says where to go next."""
    data = _json_object()
    imp_uid = data.get("imp_uid")
    if problem := _imp_uid_problem(imp_uid):
        return jsonify(error=problem), 400
    result = notified(imp_uid, "callback")
    order = placed_here(result.order) or _unconfirmed_order(result, data.get("merchant_uid"))
    if order is None:
        return jsonify(error=str(NOT_PLACED_HERE)), 404
    return jsonify(status=order.status, redirect=_next_url(order))


@bp.get("/checkout/complete/mobile")
def complete_mobile():
    """Phone door: Kakao Pay sends the browser here. ``imp_success`` can lie: it is ignored."""
    imp_uid = request.args.get("imp_uid")
    if imp_uid:
        if not is_imp_uid(imp_uid):
            abort(400, description=str(NOT_AN_IMP_UID))
        result = notified(imp_uid, "redirect")
        merchant_uid = request.args.get("merchant_uid")
        order = placed_here(result.order) or _unconfirmed_order(result, merchant_uid)
        if order is not None:
            return redirect(_next_url(order), 303)
        flash(str(NOT_PLACED_HERE), "error")
        return redirect(url_for("cart.view"), 303)

    # No payment was created (the request was refused before the window opened).
    order = placed_order(request.args.get("merchant_uid"))
    flash(window_error(request.args.get("error_code")), "error")
    if order is None:
        return redirect(url_for("cart.view"), 303)
    return redirect(url_for("checkout.pay", token=order.token), 303)


@bp.post("/portone/webhook")
@csrf.exempt
@limits.webhooks
def webhook():
    """PortOne's notification: unsigned, so its ``imp_uid`` is re-fetched, unless the order is
    paid by that payment already and its ``status`` claims nothing else."""
    data = _json_object() if request.is_json else request.form
    imp_uid = data.get("imp_uid")
    if problem := _imp_uid_problem(imp_uid):
        return jsonify(error=problem), 400
    claimed = data.get("status")
    # A status that is no text claims something unknown: re-fetched, like any claim.
    claimed = claimed if claimed is None or isinstance(claimed, str) else "?"
    result = notified(imp_uid, "webhook", claimed)
    if not result.settled:
        # A 5xx asks PortOne to send it again later.
        return jsonify(outcome=result.outcome), 503
    return jsonify(outcome=result.outcome)


# After payment ---------------------------------------------------------------------------


@bp.get("/orders/<token>")
def order(token: str):
    """The order's page: its state, what it holds, and how its payment was verified."""
    order = _order_or_404(token)
    confirming = _confirming(order)
    checkout = session.get("checkout") or {}
    if order.status == OrderStatus.PAID and checkout.get("order") == order.token:
        _forget_checkout(checkout["source"])
    return render_template(
        "checkout/order.html",
        order=order,
        rows=_order_rows(order),
        confirming=confirming,
        payable=_payable(order),
        steps=timeline(order),
        retry_form=EmptyForm(),
    )


@bp.get("/orders/<token>/status")
def order_status(token: str):
    """For the "still confirming" page: ask PortOne again while the order is pending.

    ``confirming`` stays true only while PortOne cannot be asked; then the page reloads.
    """
    order = _order_or_404(token)
    confirming = _confirming(order)
    return jsonify(
        status=order.status,
        confirming=confirming,
        url=url_for("checkout.order", token=order.token),
    )


@bp.post("/orders/<token>/retry")
@limits.orders
def retry(token: str):
    """Pay a failed order again: the same order while it can be paid, else a new order at
    today's prices (an expired one, or a failed one whose time ran out)."""
    order = _order_or_404(token)
    _expire_if_overdue(order)
    if _payable(order):
        return redirect(url_for("checkout.pay", token=order.token), 303)
    if order.status not in RETRYABLE:
        return redirect(url_for("checkout.order", token=order.token), 303)
    lines = _order_lines(order)
    if not lines:
        flash(_("These products are no longer sold."), "error")
        return redirect(url_for("checkout.order", token=order.token), 303)
    buyer = {name: getattr(order, name) for name in CheckoutForm.ORDER_FIELDS}
    try:
        new_order = place_again(order, lines, buyer)
    except OrderError as exc:
        flash(str(exc), "error")
        return redirect(url_for("checkout.order", token=order.token), 303)
    if new_order is None:
        return redirect(url_for("checkout.order", token=order.token), 303)
    remember(new_order)
    checkout = session.get("checkout") or {}
    if checkout.get("order") == order.token:
        session["checkout"] = {**checkout, "order": new_order.token}
    return redirect(url_for("checkout.pay", token=new_order.token), 303)


# Helpers ---------------------------------------------------------------------------------


def _next_url(order: Order) -> str:
    """Where a door sends the buyer, decided by the order's state after the sync: a window
    cancelled or declined leads to the same order's payment page, which says what happened."""
    if order.status == OrderStatus.FAILED and _payable(order):
        return url_for("checkout.pay", token=order.token)
    return url_for("checkout.order", token=order.token)


def _payable(order: Order) -> bool:
    """Whether a Kakao Pay window may be opened for the order: not paid or closed, in time."""
    return order.status in PAYABLE and not order.overdue


def _confirming(order: Order) -> bool:
    """Ask PortOne about a pending order; True while it cannot be asked (still confirming).

    PortOne knows whether a payment of the order exists: none (or none finished) leaves the
    order pending and payable; a paid one pays it here; an overdue order expires.
    """
    if order.status != OrderStatus.PENDING:
        return False
    return sync_order(order).outcome == SyncOutcome.UNAVAILABLE


def _expire_if_overdue(order: Order) -> None:
    """A pending order whose time ran out is checked with PortOne once more, then expires."""
    if order.status == OrderStatus.PENDING and order.overdue:
        sync_order(order)


def _sdk() -> dict:
    """What a page that opens Kakao Pay's window loads it with."""
    return {
        "sdk_url": current_app.config["PORTONE_SDK_URL"],
        "imp_code": current_app.config["PORTONE_IMP_CODE"],
    }


def _known_buyer() -> dict | None:
    """The details to fill the checkout form with: the account's, else this browser's last."""
    if current_user.is_authenticated and current_user.has_delivery_details():
        return current_user.delivery()
    return last_buyer((*CheckoutForm.BUYER_FIELDS, "address_detail"))


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _json_object() -> dict:
    """The request's JSON body when it is an object; anything else counts as no fields at all."""
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _imp_uid_problem(imp_uid) -> str | None:
    """Why a door cannot take ``imp_uid`` as a payment's id, or None when it can."""
    if not isinstance(imp_uid, str) or not imp_uid:
        return _("imp_uid is required.")
    if not is_imp_uid(imp_uid):
        return str(NOT_AN_IMP_UID)
    return None


def _unconfirmed_order(result, merchant_uid) -> Order | None:
    """While PortOne is unreachable, the browser's merchant_uid may pick the page to wait on,
    among the orders this session placed.

    Only for showing "still confirming": the order's state is not touched on its word.
    """
    if result.outcome != SyncOutcome.UNAVAILABLE:
        return None
    return placed_order(merchant_uid)


def _checkout_page(form: CheckoutForm, lines: list[CartLine]) -> Response:
    rows = [(ln.product.name, ln.product.price, ln.quantity, ln.line_total) for ln in lines]
    return _opens_the_window(
        render_template(
            "checkout/checkout.html",
            form=form,
            rows=rows,
            priced=charges(sum(r[3] for r in rows)),
            postcode_script_url=current_app.config["POSTCODE_SCRIPT_URL"],
            **_sdk(),
        )
    )


def _opens_the_window(page: str) -> Response:
    """A page whose button opens Kakao Pay's window, never kept by the browser: Back or a
    reload asks the shop again, which sends a paid order's buyer to the order instead."""
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def _order_rows(order: Order) -> list[tuple]:
    return [(i.product_name, i.unit_price, i.quantity, i.line_total) for i in order.items]


def _order_or_404(token: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.token == token))
    if order is None:
        abort(404)
    return order


def _buy_now_lines() -> list[CartLine]:
    chosen = session.get("buy_now") or {}
    product_id = _int(chosen.get("product_id"))
    product = db.session.get(Product, product_id) if product_id is not None else None
    if product is None:
        return []
    return [CartLine(product=product, quantity=int(chosen.get("quantity", 1)))]


def _order_lines(order: Order) -> list[CartLine]:
    return [
        CartLine(product=item.product, quantity=item.quantity)
        for item in order.items
        if item.product is not None
    ]


def _forget_checkout(source: str) -> None:
    if source == "buy_now":
        session.pop("buy_now", None)
    else:
        clear_cart()
    session.pop("checkout", None)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
