"""The orders page (search, status filter, pages), an order's page (its verification timeline
and refunds), and the refund itself."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select

from shop.admin import bp
from shop.admin.forms import OrderSearchForm, RefundForm
from shop.admin.refunds import refund_order, refundable
from shop.admin.words import REFUND_OUTCOMES, timeline
from shop.extensions import db
from shop.format import won
from shop.models import Order, Refund, RefundOutcome
from shop.statuses import STATUS_BADGES, STATUS_LABELS

ORDERS_PER_PAGE = 25

NOT_REFUNDABLE = _l("Only a paid order with something left to refund can be refunded.")


@bp.get("/")
def index():
    return redirect(url_for(".orders"))


@bp.get("/orders")
def orders():
    form = OrderSearchForm(formdata=request.args)
    if not form.validate():
        return render_template("admin/orders.html", form=form, page=None), 400
    query = select(Order).order_by(Order.id.desc())
    if form.q.data:
        text = form.q.data
        query = query.where(
            or_(
                Order.merchant_uid.icontains(text, autoescape=True),
                Order.imp_uid == text,
                Order.buyer_email.icontains(text, autoescape=True),
                Order.buyer_name.icontains(text, autoescape=True),
            )
        )
    if form.status.data:
        query = query.where(Order.status == form.status.data)
    page = db.paginate(query, page=form.page.data or 1, per_page=ORDERS_PER_PAGE, error_out=False)
    return render_template(
        "admin/orders.html", form=form, page=page, labels=STATUS_LABELS, badges=STATUS_BADGES
    )


@bp.get("/orders/<int:order_id>")
def order(order_id: int):
    found = _order_or_404(order_id)
    return _order_page(found, _fresh_refund_form(found))


@bp.post("/orders/<int:order_id>/refund")
def refund(order_id: int):
    """Refund part or all of a paid order through PortOne (``POST /payments/cancel``)."""
    found = _order_or_404(order_id)
    form = RefundForm(found.net_amount)
    if not refundable(found):
        return _order_page(found, form, error=str(NOT_REFUNDABLE)), 409
    if not form.validate_on_submit():
        return _order_page(found, form), 400
    if form.balance.data != found.net_amount:
        # Someone refunded meanwhile: the amount typed may already be refunded.
        error = _(
            "This order changed since the page was opened: %(balance)s is left to refund now. "
            "Check the amount and refund again.",
            balance=won(found.net_amount),
        )
        return _order_page(found, _fresh_refund_form(found, keep=form), error=error), 409

    result = refund_order(found, form.amount.data, form.reason.data, current_user)
    made = result.refund
    if made.outcome == RefundOutcome.REFUNDED:
        flash(_refunded_message(found, made.amount, result.sync.settled), "success")
        return redirect(url_for(".order", order_id=found.id), 303)
    form = _fresh_refund_form(found, keep=form)
    if made.outcome == RefundOutcome.REFUSED:
        return _order_page(found, form, error=_refused_message(found, made)), 409
    message = _(
        "PortOne did not answer the refund (%(detail)s), so whether it was made is not "
        "known yet. The order shows what PortOne says once it can be asked; refunding again "
        "is safe, as PortOne refuses a refund whose balance is out of date.",
        detail=made.detail,
    )
    return _order_page(found, form, error=message), 503


def _refunded_message(order: Order, amount: int, read_back: bool) -> str:
    if not read_back:
        return _(
            "PortOne refunded %(amount)s of order %(merchant_uid)s. The shop could not "
            "read the payment back yet: the order updates when PortOne's webhook or the "
            "reconcile command does.",
            amount=won(amount),
            merchant_uid=order.merchant_uid,
        )
    return _(
        "PortOne refunded %(amount)s of order %(merchant_uid)s. "
        "Refunded in all: %(refunded)s; left: %(left)s.",
        amount=won(amount),
        merchant_uid=order.merchant_uid,
        refunded=won(order.refunded_amount),
        left=won(order.net_amount),
    )


def _refused_message(order: Order, refused: Refund) -> str:
    message = _("PortOne refused the refund: %(detail)s.", detail=refused.detail)
    if order.net_amount != refused.checksum:
        # The read-back after the refusal found a balance other than the checksum sent.
        message += " " + _(
            "Its refundable balance was not the %(checksum)s the shop had: the "
            "payment was also refunded elsewhere, e.g. in PortOne's console. The order now "
            "shows PortOne's record; check it before refunding again.",
            checksum=won(refused.checksum),
        )
    return message


def _fresh_refund_form(order: Order, keep: RefundForm | None = None) -> RefundForm:
    """The refund form for the order as it is now; ``keep`` keeps what the admin typed."""
    balance = order.net_amount
    # No amount filled in: a refund of everything is typed, never a default.
    data = {"amount": "", "reason": "", "balance": str(balance)}
    if keep is not None:
        data |= {"amount": str(keep.amount.data), "reason": keep.reason.data}
    # formdata=None: filled from ``data`` alone, never from the request that was just posted.
    return RefundForm(balance, formdata=None, data=data)


def _order_page(order: Order, form: RefundForm, error: str | None = None) -> str:
    return render_template(
        "admin/order.html",
        order=order,
        form=form,
        error=error,
        can_refund=refundable(order),
        rows=[(i.product_name, i.unit_price, i.quantity, i.line_total) for i in order.items],
        timeline=timeline(order),
        labels=STATUS_LABELS,
        badges=STATUS_BADGES,
        refund_words=REFUND_OUTCOMES,
    )


def _order_or_404(order_id: int) -> Order:
    found = db.session.get(Order, order_id)
    if found is None:
        abort(404)
    return found
