"""Time as subscriptions count it: PortOne's unix seconds, the shop's naive UTC, calendar months.

A subscription's dates are PortOne's (when its first charge was paid, when a renewal was
declined), so the shop books every charge on PortOne's clock, whatever its own says.
"""

import calendar
from datetime import UTC, datetime


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` that many calendar months later, on the same day or the month's last one:
    counted from a 31 January, the periods start on 28 (29) February, 31 March, 30 April."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def to_unix(moment: datetime) -> int:
    """A naive UTC datetime as PortOne's unix seconds."""
    return int(moment.replace(tzinfo=UTC).timestamp())


def from_unix(seconds: int) -> datetime:
    """PortOne's unix seconds as the naive UTC datetime the shop stores."""
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)
