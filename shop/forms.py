"""The base of every shop form, and ``EmptyForm`` for a bare button.

Templates render fields with ``render_field`` and a form's CSRF token and hidden fields with
``hidden_fields``, both in ``templates/_forms.html``.
"""

from flask import request
from flask_wtf import FlaskForm


class Form(FlaskForm):
    """A Flask-WTF form that reads the submitted form body and nothing else.

    Flask-WTF would also take a JSON body, or uploaded files, as the fields, and a JSON value
    need not be a string. Pass ``formdata=None`` for a form shown with its ``data`` only.
    """

    def __init__(self, **kwargs):
        if "formdata" not in kwargs:
            kwargs["formdata"] = request.form if self.is_submitted() else None
        super().__init__(**kwargs)


class EmptyForm(Form):
    """Nothing but the CSRF token: a form that is one button, such as "Try again"."""
