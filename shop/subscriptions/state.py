"""Moving a subscription or a period from one status to another, exactly once."""

from sqlalchemy import update

from shop.extensions import db
from shop.models import Subscription, SubscriptionPeriod, utcnow


def move(row: Subscription | SubscriptionPeriod, from_states, to_state=None, *where, **values):
    """Change ``row`` only if it is still in one of ``from_states`` (and ``where`` holds);
    True if this call did.

    One conditional UPDATE: of concurrent calls (a webhook sent twice, a reconcile beside it)
    exactly one sees the row change, and only that one goes on to what follows. The change
    stays in the open transaction for the caller to commit.
    """
    model = type(row)
    if to_state is not None:
        values["status"] = to_state
    result = db.session.execute(
        update(model)
        .where(model.id == row.id, model.status.in_(from_states), *where)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
