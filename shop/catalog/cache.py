"""The catalog's pages as a first visit sees them, cached (Flask-Caching), until stock or a
price changes.

Only a visitor with an empty session gets a cached page: such a page shows no cart, no
account and no CSRF token, so it is the same for every such visitor in one language. Anyone
else (logged in, a cart, a message to show) gets the page made for them, and it is not kept.

A page is kept under the catalog's generation, a random word in the same cache: any commit
that inserts, changes or deletes products (stock taken by a payment, given back by a refund
or a cancel, a new price, the seed) draws a new one, and pages of the old generation are
never read again (they expire). With Redis (``REDIS_URL``) every worker and command shares
the generation; with the default simple cache each process keeps its own pages, so another
process's change shows there within ``CACHE_DEFAULT_TIMEOUT`` seconds.
"""

import functools
import hashlib
import secrets

from flask import current_app, has_app_context, request, session
from sqlalchemy import event
from sqlalchemy.orm import Session

from shop.extensions import cache, limiter
from shop.language import DEFAULT, select_locale
from shop.models import Product

GENERATION = "catalog-generation"
# The views ``cached_page`` made, as Flask calls them.
_SERVED: set = set()
_CHANGED = "catalog_changed"
# Where each app keeps the generation its process saw last.
_SEEN = "catalog_generation_seen"


def cached_page(view):
    """Serve ``view``'s page from the cache to a visitor with an empty session.

    Its pages only: redirects and error pages are made afresh. A cache that cannot be
    reached (Redis down) is logged, and the page made as if there were none.
    """

    @functools.wraps(view)
    def serve(**kwargs):
        if session:
            return view(**kwargs)
        try:
            key, page = lookup(page_name())
        except Exception:
            current_app.logger.exception("the page cache could not be read")
            return view(**kwargs)
        if page is None:
            page = view(**kwargs)
            if isinstance(page, str):
                try:
                    cache.set(key, page)
                except Exception:
                    current_app.logger.exception("the page cache could not be written")
        return page

    _SERVED.add(serve)
    return serve


def page_name() -> str:
    """What tells pages apart within a generation: the language, the path and its sorted query."""
    query = sorted(request.args.items(multi=True))
    digest = hashlib.sha256(repr((request.path, query)).encode()).hexdigest()
    # The selector itself: Flask-Babel's get_locale would also parse a Locale for each hit.
    return f"{select_locale() or DEFAULT}/{digest}"


def lookup(name: str) -> tuple[str, str | None]:
    """The page's key in the current generation, and the page if the cache holds it.

    One read asks for the generation and for the page under the generation this process saw
    last, which is the current one but after a change: one round trip to Redis per page.
    """
    seen = current_app.extensions[_SEEN]
    current, page = cache.get_many(GENERATION, f"page/{seen.get('generation')}/{name}")
    if current is None:
        current = new_generation()
    if current != seen.get("generation"):
        seen["generation"] = current
        page = cache.get(f"page/{current}/{name}")
    return f"page/{current}/{name}", page


def new_generation() -> str:
    """Draw a generation: pages kept under the one before are stale from now on."""
    drawn = secrets.token_hex(8)
    cache.set(GENERATION, drawn, timeout=0)
    return drawn


def listen() -> None:
    """Watch every session for changes to products, and draw a new generation after a commit
    that made one."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _after_flush(db_session, _context) -> None:
    changed = (*db_session.new, *db_session.dirty, *db_session.deleted)
    if any(isinstance(row, Product) for row in changed):
        db_session.info[_CHANGED] = True


def _on_execute(state) -> None:
    # Stock moves by UPDATE statements (payments take it only WHERE enough is left).
    if (state.is_update or state.is_delete) and _is_product(state.bind_mapper):
        state.session.info[_CHANGED] = True


def _is_product(mapper) -> bool:
    return mapper is not None and issubclass(mapper.class_, Product)


def _after_commit(db_session) -> None:
    changed = db_session.info.pop(_CHANGED, False)
    if changed and has_app_context() and "cache" in current_app.extensions:
        _draw_or_log()


def _draw_or_log() -> None:
    """A new generation; if the cache cannot be reached, a log line instead of an error in a
    commit already made (the pages it holds expire by themselves)."""
    try:
        new_generation()
    except Exception:
        current_app.logger.exception("the page cache could not be told that products changed")


def _after_rollback(db_session) -> None:
    db_session.info.pop(_CHANGED, None)


@limiter.request_filter
def _is_cached_view() -> bool:
    """No cached page has a rate limit: the limiter skips looking up their limits, a large
    share of the time a page from the cache takes."""
    return current_app.view_functions.get(request.endpoint or "") in _SERVED


def configure(app) -> None:
    """Flask-Caching on ``app`` with the CACHE_* settings (shop/config.py)."""
    cache.init_app(app)
    app.extensions[_SEEN] = {}
    listen()
    # A Redis cache outlives a deploy: pages made by the code before it are not served.
    with app.app_context():
        _draw_or_log()
