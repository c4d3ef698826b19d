"""The base of every shop form, ``EmptyForm`` for a bare button, and ``QueryForm`` and
``search_field`` for the forms sent by GET.

Templates render fields with ``render_field`` and a form's CSRF token and hidden fields with
``hidden_fields``, both in ``templates/_forms.html``.
"""

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.utils import cached_property
from wtforms import SearchField
from wtforms.validators import Length, Optional


class Form(FlaskForm):
    """A Flask-WTF form that reads the submitted form body and nothing else.

    Flask-WTF would also take a JSON body, or uploaded files, as the fields, and a JSON value
    need not be a string. Pass ``formdata=None`` for a form shown with its ``data`` only.
    """

    class Meta(FlaskForm.Meta):
        @cached_property
        def csrf(self):
            # A token lives in the session: shown to a visitor without one, it would start a
            # session on every page read. Their first POST is checked by its origin instead
            # (shop/csrf.py); every page after it carries the token.
            return current_app.config.get("WTF_CSRF_ENABLED", True) and bool(session)

    def __init__(self, **kwargs):
        if "formdata" not in kwargs:
            kwargs["formdata"] = request.form if self.is_submitted() else None
        super().__init__(**kwargs)


class EmptyForm(Form):
    """Nothing but the CSRF token: a form that is one button, such as "Try again"."""


class QueryForm(Form):
    """A form sent by GET (``formdata=request.args``), such as a search: it changes nothing,
    so it carries no CSRF token, which would only leak into URLs and logs."""

    class Meta:
        csrf = False


def search_field(max_length: int) -> SearchField:
    """A search box: optional, trimmed, at most ``max_length`` characters."""
    return SearchField(
        _l("Search"),
        validators=[
            Optional(),
            Length(max=max_length, message=_l("Search for at most %(max)d characters.")),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
