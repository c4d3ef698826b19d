"""What a link to the shop shows where it is shared (KakaoTalk, social sites, search results):
each page's description and Open Graph tags (the head of ``templates/base.html``), and the
favicon.

Link previews are fetched by another server, so every address in them is absolute, on
``PUBLIC_BASE_URL`` (``shop.urls``). Previews cannot draw SVG: a picture is shared as its JPEG
twin (``static/img/.../<name>.jpg`` beside ``<name>.svg``, made by ``tools/share_images.py``).
"""

from pathlib import Path, PurePosixPath

from flask import Blueprint, current_app, request, send_from_directory

from shop.urls import public_url

bp = Blueprint("sharing", __name__)

# The picture of a page that has none of its own: the shop's card.
SHOP_CARD = "img/share/soso-market.jpg"


@bp.app_context_processor
def sharing_context() -> dict:
    return {"page_url": page_url, "shared_image": shared_image}


@bp.get("/favicon.ico")
def favicon():
    """Where browsers and link previews look for an icon when a page names none."""
    return send_from_directory(current_app.static_folder, "favicon.ico")


def page_url() -> str:
    """The absolute address of this page, without its query."""
    base = current_app.config["PUBLIC_BASE_URL"]
    return base + request.path if base else request.base_url


def shared_image(filename: str = SHOP_CARD) -> str:
    """The absolute address of the picture ``filename`` (under static/) in a form previews can
    draw: its JPEG twin if it is an SVG that has one."""
    path = PurePosixPath(filename)
    if path.suffix == ".svg":
        twin = path.with_suffix(".jpg")
        if Path(current_app.static_folder, twin).is_file():
            filename = str(twin)
    return public_url("static", filename=filename)
