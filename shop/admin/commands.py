"""``flask --app shop create-admin EMAIL``: make an account an admin, creating it if needed."""

import click
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from shop.account.forms import PASSWORD_MAX, PASSWORD_MIN
from shop.account.routes import hash_password
from shop.admin import bp
from shop.extensions import db
from shop.models import User


@bp.cli.command("create-admin")
@click.argument("email")
@click.option("--name", help="The new account's name (default: the part of EMAIL before @).")
def create_admin(email: str, name: str | None) -> None:
    """Make the account with EMAIL an admin; without one, create it (asks for a password)."""
    # As sign-up stores it, so the admin logs in with the address they typed.
    email = email.strip().lower()
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from exc
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        password = click.prompt(
            f"Password for the new account {email}", hide_input=True, confirmation_prompt=True
        )
        if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
            raise click.UsageError(f"Use {PASSWORD_MIN} to {PASSWORD_MAX} characters.")
        user = User(
            email=email,
            name=(name or email.split("@")[0])[:60],
            password_hash=hash_password(password),
        )
        db.session.add(user)
        done = f"Created the admin account {email}."
    elif user.is_admin:
        click.echo(f"{email} is already an admin.")
        return
    else:
        done = f"{email} is now an admin."
    user.is_admin = True
    db.session.commit()
    click.echo(f"{done} Log in at /account/login; the admin pages are at /admin/orders.")
