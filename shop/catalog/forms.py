"""The catalog's search box."""

from flask_babel import lazy_gettext as _l
from wtforms import SearchField
from wtforms.validators import Length, Optional

from shop.forms import Form


class SearchForm(Form):
    """What the catalog lists: the products whose name or description holds ``q``."""

    class Meta:
        # A GET that changes nothing: a CSRF token would only leak into URLs and logs.
        csrf = False

    q = SearchField(
        _l("Search"),
        validators=[
            Optional(),
            Length(max=100, message=_l("Search for at most %(max)d characters.")),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
