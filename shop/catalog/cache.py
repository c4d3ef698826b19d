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

A page never changes under its generation, so with a shared cache (Redis) each process also
keeps the pages it has read or made, for the generation it saw last and for at most
``CACHE_DEFAULT_TIMEOUT`` after it read or made them, and serves them without asking Redis for
``CACHE_RECHECK_SECONDS`` (1 s) after it last read the generation: a change committed by any
other process (another worker or host, ``flask reconcile``) shows within that second, the
process's own at once.
"""

import functools
import hashlib
import secrets
import time

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
# Where each app keeps the generation its process saw last, and with a shared cache the pages
# of that generation it has read or made: {key: (page, monotonic time it expires)}.
_SEEN = "catalog_generation_seen"
RECHECK = "CACHE_RECHECK_SECONDS"
# The most pages a process keeps of a shared cache's (a page of the catalog is 20–40 KB).
KEPT_PAGES = 200
# Caches a process keeps to itself: its own copy of their pages would add nothing (and a
# NullCache, which keeps nothing, must make every page).
_LOCAL_BACKENDS = frozenset({"SimpleCache", "NullCache"})


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
                keep(key, page)
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

    A page this process keeps, with the generation read less than ``CACHE_RECHECK_SECONDS``
    ago, needs no round trip to Redis; otherwise one read asks for the generation, and for the
    page under the generation this process saw last unless it keeps that page.
    """
    seen = current_app.extensions[_SEEN]
    # Read once: another thread's commit may draw a new generation while this one looks.
    generation = seen.get("generation")
    key = f"page/{generation}/{name}"
    page = kept(seen, key)
    now = time.monotonic()
    if page is not None and now < seen.get("checked", 0.0) + current_app.config[RECHECK]:
        return key, page
    if page is None:
        current, page = cache.get_many(GENERATION, key)
    else:
        current = cache.get(GENERATION)
    if current is None:
        current = new_generation()
    seen["checked"] = now
    if current != generation:
        if seen.get("generation") == generation:
            saw(seen, current)
        key = f"page/{current}/{name}"
        page = cache.get(key)
    keep(key, page)
    return key, page


def saw(seen: dict, generation: str) -> None:
    """This process now serves ``generation``: the pages it kept of the one before are stale."""
    seen["generation"] = generation
    if "pages" in seen:
        seen["pages"] = {}


def kept(seen: dict, key: str) -> str | None:
    """The page this process keeps under ``key``, if it has not expired."""
    page, expires = seen.get("pages", {}).get(key, (None, 0.0))
    return page if time.monotonic() < expires else None


def keep(key: str, page: str | None) -> None:
    """Keep ``page`` in this process too, when the cache is shared: for ``CACHE_DEFAULT_TIMEOUT``
    from now at most (a bound on what the process holds: the generation, not the time, is what
    keeps pages true), and while the generation is the one in its key (``lookup`` forgets the
    others)."""
    seen = current_app.extensions[_SEEN]
    pages = seen.get("pages")
    if page is None or pages is None or not key.startswith(f"page/{seen.get('generation')}/"):
        return
    if key not in pages:
        if len(pages) >= KEPT_PAGES:
            pages.clear()
        lasts = current_app.config["CACHE_DEFAULT_TIMEOUT"] or float("inf")
        pages[key] = (page, time.monotonic() + lasts)


def new_generation() -> str:
    """Draw a generation: pages kept under the one before are stale from now on."""
    drawn = secrets.token_hex(8)
    cache.set(GENERATION, drawn, timeout=0)
    saw(current_app.extensions[_SEEN], drawn)
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
    shared = type(app.extensions["cache"][cache]).__name__ not in _LOCAL_BACKENDS
    app.extensions[_SEEN] = {"pages": {}} if shared else {}
    listen()
    # A Redis cache outlives a deploy: pages made by the code before it are not served.
    with app.app_context():
        _draw_or_log()
