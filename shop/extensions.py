"""Extension objects, created once here and bound to the app in ``create_app``."""

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from shop.csrf import CSRFProtect


class Base(DeclarativeBase):
    # Named constraints, so migrations can drop and alter them on every database.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
migrate = Migrate()
login_manager = LoginManager()
# The catalog's pages for first visits (shop/catalog/cache.py), configured by the CACHE_* settings.
cache = Cache()
# Bound with the shop's locale selector by shop.language.register.
babel = Babel()
# No default limits: only the routes that name a limit are limited. Storage from the
# RATELIMIT_STORAGE_URI setting (memory by default, Redis for several processes).
limiter = Limiter(key_func=get_remote_address)
