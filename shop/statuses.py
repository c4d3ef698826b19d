"""Order statuses as the shop's pages name them, for buyers and admins alike."""

from flask_babel import lazy_gettext as _l

from shop.models import OrderStatus

STATUS_LABELS = {
    OrderStatus.PENDING: _l("Pending"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.FAILED: _l("Failed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.FORGERY: _l("Amount mismatch (refunded)"),
    OrderStatus.SOLD_OUT: _l("Sold out (refunded)"),
    OrderStatus.EXPIRED: _l("Expired"),
    OrderStatus.REPLACED: _l("Replaced by a retry"),
}

# The badge each status wears (the colours of "My orders"): the rest are refused or closed.
STATUS_BADGES = {OrderStatus.PAID: "paid", OrderStatus.PENDING: "pending"}
