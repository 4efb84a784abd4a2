"""Flask extensions other than the database, created here and bound in create_app."""
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "ログインしてください。"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str):
    from planner.models import User
    from planner.models.db import db
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None  # a deactivated account is logged out
