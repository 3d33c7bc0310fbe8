"""Account jobs."""

from app.services import auth
from app.services.audit import ClientInfo


def send_password_reset(email: str, ip: str | None, user_agent: str | None) -> bool:
    """Look the address up and email a reset link if it has an account."""
    return auth.send_password_reset(email, ClientInfo(ip, user_agent))
