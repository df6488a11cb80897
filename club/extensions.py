"""Flask extensions, created unbound; ``create_app`` binds them."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from club.models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


# Endpoints that read nothing of the request but its path: the static files and the health check. The request hooks
# that guard forms, queries and pages (club.security) and the rate limiter do nothing for them (they answer
# thousands of times a minute).
BARE_ENDPOINTS = frozenset({"static", "core.healthz"})


@limiter.request_filter
def bare_request() -> bool:
    return request.endpoint in BARE_ENDPOINTS
