"""The saved Kakao Pay: a PortOne billing key, registered in Kakao Pay's window and known to
the shop only by its ``customer_uid``.

Saving and replacing open the same window (``IMP.request_pay`` with ``customer_uid`` and amount
0), always under the account's ``next_customer_uid``: made by the server, never read from the
browser. Only ``GET /subscribe/customers/{customer_uid}`` says whether a key was registered; the
shop keeps what PortOne shows of it (provider, card name, masked number, dates) and nothing more.

Replacing. PortOne overwrites a key registered again under the same ``customer_uid`` without
revoking the old one, so the old key must be deleted at PortOne. Deleting it before the new
window opens would leave the buyer with no saved Kakao Pay if they close that window. So the
new key is registered under a fresh ``customer_uid``, and only once PortOne shows it is the old
key deleted (``DELETE /subscribe/customers/{customer_uid}``). If that delete cannot reach
PortOne, the old key is kept as ``replaced`` and the account page offers to remove it.
"""

import logging
import secrets
from contextlib import suppress
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.checkout.payment_request import PAY_METHOD, PG
from shop.extensions import db
from shop.models import BillingKey, User, new_customer_uid
from shop.portone import PortOneError, PortOneNotFound, portone
from shop.urls import public_url

log = logging.getLogger(__name__)


def window_params(user: User) -> dict:
    """``IMP.request_pay``'s parameters for registering a key: amount 0 means the key only."""
    params = {
        "pg": PG,
        "pay_method": PAY_METHOD,
        # Each window is a payment of 0원 at PortOne, with a merchant_uid of its own.
        "merchant_uid": f"key_{datetime.now():%Y%m%d}_{secrets.token_hex(8)}",
        # The order name Kakao Pay's window shows while registering the key.
        "name": _("Soso Market one-click payments"),
        "amount": 0,
        "customer_uid": user.next_customer_uid,
        "buyer_name": user.name,
        "buyer_email": user.email,
        "buyer_tel": user.phone,
        "buyer_addr": user.address,
        "buyer_postcode": user.postcode,
        "m_redirect_url": public_url("account.kakao_pay_saved_mobile"),
    }
    return {name: value for name, value in params.items() if value is not None}


def adopt_key(user: User) -> BillingKey | None:
    """The key PortOne holds under the account's ``next_customer_uid``, now its saved Kakao Pay,
    with any earlier key replaced; None when PortOne holds none there (the window was closed,
    declined, or never opened). Raises ``PortOneError`` when PortOne cannot say."""
    customer_uid = user.next_customer_uid
    try:
        customer = portone().get_customer(customer_uid)
    except PortOneNotFound:
        return None
    key = BillingKey(
        user_id=user.id,
        customer_uid=customer_uid,
        pg_provider=customer["pg_provider"][:20],
        card_name=(customer["card_name"] or "")[:40] or None,
        card_number=(customer["card_number"] or "")[:40] or None,
        inserted_at=_utc(customer["inserted"]),
        updated_at=_utc(customer["updated"]),
    )
    for earlier in user.billing_keys:
        earlier.replaced = True
    user.next_customer_uid = new_customer_uid()
    db.session.add(key)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request (a repeated callback, a second tab) adopted this key first.
        db.session.rollback()
        return db.session.scalar(select(BillingKey).where(BillingKey.customer_uid == customer_uid))
    revoke_replaced(user)
    return key


def revoke_replaced(user: User) -> bool:
    """Delete the account's replaced keys at PortOne, then here; True if none is left."""
    for key in user.replaced_keys:
        try:
            _delete_at_portone(key)
        except PortOneError as exc:
            log.warning("replaced billing key %s not deleted yet: %s", key.customer_uid, exc)
            continue
        db.session.delete(key)
    db.session.commit()
    return not user.replaced_keys


def remove_key(key: BillingKey) -> None:
    """Delete ``key`` at PortOne, then here. Raises ``PortOneError`` (and keeps it) if PortOne
    cannot be reached or refuses."""
    _delete_at_portone(key)
    db.session.delete(key)
    db.session.commit()


def _delete_at_portone(key: BillingKey) -> None:
    # A key PortOne no longer has is already revoked.
    with suppress(PortOneNotFound):
        portone().delete_customer(key.customer_uid)


def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC).replace(tzinfo=None)
