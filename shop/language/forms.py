"""The footer's language switch: one button per language."""

from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf

from shop.forms import Form
from shop.language import LANGUAGES


class LanguageForm(Form):
    """The language a button names, and the page to go back to."""

    lang = StringField(validators=[AnyOf(list(LANGUAGES))])
    next = HiddenField()
