"""The shipping fee: ``SHIPPING_FEE`` won per order, free from ``FREE_SHIPPING_FROM`` won of
products (integer KRW, in config).

It is part of the order's amount, so the amount registered with PortOne before the window
opens, and the one ``sync_payment`` checks a payment against, include it. It applies to every
order of products (the checkout, "Buy now" and one-click buying); a subscription's price
already includes its deliveries.
"""

from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class Charges:
    """What an order of products costs: the products, the shipping, and the two together."""

    subtotal: int
    shipping_fee: int

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping_fee

    @property
    def free_shipping_from(self) -> int:
        return current_app.config["FREE_SHIPPING_FROM"]

    @property
    def short_of_free_shipping(self) -> int:
        """How much more of products would make the shipping free (0 when it is)."""
        return 0 if self.shipping_fee == 0 else self.free_shipping_from - self.subtotal


def charges(subtotal: int) -> Charges:
    """The shipping for ``subtotal`` won of products, by the shop's rule."""
    config = current_app.config
    free = subtotal >= config["FREE_SHIPPING_FROM"]
    return Charges(subtotal=subtotal, shipping_fee=0 if free else config["SHIPPING_FEE"])
