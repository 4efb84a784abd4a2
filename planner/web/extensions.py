"""Flask extensions other than the database, created here and bound in create_app."""
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "ログインしてください。"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str):
    """The user of a session cookie, if the cookie's session version is still the user's
    (logout and a password change raise it, so copies of older cookies stop working)."""
    from planner.services.accounts import find_user
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = find_user(int(user_id))
    # a deactivated account is logged out, like one whose session version moved on
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
