"""Signals a shop built on this one connects to, for work that follows what the shop did.

``order_paid`` is sent with the order, once per paid order: by the one ``sync_payment`` call
whose conditional UPDATE moved the order to paid, after the transaction that did so (and took
the stock) has committed. Nothing is sent for a payment that is refunded instead, such as one
whose stock ran out. Connect a function that takes the order::

    from shop.signals import order_paid

    @order_paid.connect
    def on_order_paid(order):
        send_confirmation_email(order)

Receivers run in the request that confirmed the payment (the buyer's callback or redirect, or
PortOne's webhook), so hand slow work to a queue. A receiver that raises is logged and the
others still run; the order stays paid and the signal is not sent again for it, so a receiver
that must not lose work records it first (a row, a queued job) and does it from there.

``payment_failed`` is sent with the order and PortOne's record of a failed payment of it (a
declined window, a declined charge of a saved Kakao Pay, a declined scheduled payment), after
the sync's commit. Unlike ``order_paid`` it comes with every sync that finds the payment
failed, so a webhook and a re-check of the same payment both send it: a receiver acts once per
``payment["imp_uid"]``::

    @payment_failed.connect
    def on_payment_failed(order, payment):
        ...
"""

from blinker import Namespace

_signals = Namespace()

order_paid = _signals.signal(
    "order-paid", doc="Sent with the order, once, after the commit that marked it paid."
)

payment_failed = _signals.signal(
    "payment-failed",
    doc="Sent with the order and PortOne's failed payment of it, after each sync that saw it.",
)
