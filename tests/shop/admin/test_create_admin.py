"""``flask --app shop create-admin EMAIL``: makes an admin, or promotes an existing account."""

import pytest
from sqlalchemy import select

from shop.extensions import db
from shop.models import User
from tests.shop.account_actions import PASSWORD, log_in, sign_up


def user(app, email: str) -> User | None:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.email == email))
        if found is not None:
            db.session.expunge(found)
        return found


def test_it_creates_an_admin_who_can_log_in(runner, shop):
    result = runner.invoke(
        args=["create-admin", " Boss@Example.com ", "--name", "사장님"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created the admin account boss@example.com." in result.output
    assert PASSWORD not in result.output
    made = user(shop.app, "boss@example.com")
    assert (made.name, made.is_admin) == ("사장님", True)
    assert made.password_hash.startswith("scrypt:")

    assert log_in(shop, "boss@example.com").status_code == 303
    assert shop.client.get("/admin/orders").status_code == 200


def test_it_promotes_an_existing_account_without_touching_its_password(runner, shop):
    assert sign_up(shop, "minji@example.com").status_code == 303
    before = user(shop.app, "minji@example.com")
    assert not before.is_admin

    result = runner.invoke(args=["create-admin", "minji@example.com"])
    assert result.exit_code == 0, result.output
    assert "minji@example.com is now an admin." in result.output
    after = user(shop.app, "minji@example.com")
    assert (after.is_admin, after.password_hash) == (True, before.password_hash)
    assert shop.client.get("/admin/orders").status_code == 200

    again = runner.invoke(args=["create-admin", "minji@example.com"])
    assert (again.exit_code, again.output.strip()) == (0, "minji@example.com is already an admin.")


@pytest.mark.parametrize(
    ("args", "typed", "message"),
    [
        (["create-admin", "not-an-email"], "", "Invalid value for EMAIL"),
        (["create-admin", "boss@example.com"], "short\nshort\n", "Use 8 to 128 characters."),
        (["create-admin", "boss@example.com"], f"{PASSWORD}\nother one\n" * 3, "do not match"),
    ],
)
def test_it_refuses_a_bad_email_or_password_and_makes_no_one(runner, app, args, typed, message):
    result = runner.invoke(args=args, input=typed)
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.scalars(select(User)).all() == []
