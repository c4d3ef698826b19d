"""``POST /language``: the footer's switch remembers the buyer's language and goes back."""

from flask import abort, redirect, request, url_for

from shop.language import COOKIE, COOKIE_MAX_AGE, bp
from shop.language.forms import LanguageForm
from shop.urls import local_path


@bp.post("/language")
def switch():
    """Keep the chosen language in a cookie and show the page the buyer was on again."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    back = local_path(form.next.data) or url_for("catalog.index")
    response = redirect(back, 303)
    response.set_cookie(
        COOKIE,
        form.lang.data,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    return response
