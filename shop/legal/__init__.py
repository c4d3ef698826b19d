"""The pages a Korean shop must show: terms of purchase, privacy, refunds, and the seller's
business information (사업자 정보), with its summary in every page's footer.

Their texts are samples, marked as such on every page: a real shop writes its own.
"""

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l

bp = Blueprint("legal", __name__, url_prefix="/policies")

# The seller's details as the footer and the business-information page name them, by the
# config names (shop.config.BUSINESS_INFO) that hold them.
BUSINESS_LABELS = {
    "BUSINESS_NAME": _l("Business name"),
    "BUSINESS_REPRESENTATIVE": _l("Representative"),
    "BUSINESS_REGISTRATION_NUMBER": _l("Business registration number"),
    "MAIL_ORDER_REGISTRATION": _l("Mail-order business registration"),
    "BUSINESS_ADDRESS": _l("Business address"),
    "BUSINESS_PHONE": _l("Customer service phone"),
    "BUSINESS_EMAIL": _l("Customer service email"),
}


@bp.app_context_processor
def business_context() -> dict:
    return {"business_info": business_info}


def business_info() -> list[tuple[str, str]]:
    """(label, value) for each of the seller's details, from config."""
    return [(str(label), current_app.config[name]) for name, label in BUSINESS_LABELS.items()]


@bp.get("/terms")
def terms():
    return render_template("legal/terms.html")


@bp.get("/privacy")
def privacy():
    return render_template("legal/privacy.html")


@bp.get("/refunds")
def refunds():
    return render_template("legal/refunds.html")


@bp.get("/business")
def business():
    return render_template("legal/business.html")
