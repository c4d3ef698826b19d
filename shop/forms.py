"""Forms every part of the shop uses."""

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A bare button that changes something: the form carries only its CSRF token."""
