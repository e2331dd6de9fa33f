"""Kanal's `flask` commands for operators: settings, demo data, staff accounts and the audit check."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from core import audit
from core.db import db
from core.models import Department, Queue, Resident, Role, StaffUser
from eservices.demo import DEMO_PASSWORD
from eservices.models import Category, Service
from tests.conftest import TEST_SECRET


def _count(model: type) -> int:
    db.rollback()
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_settings_lists_every_variable_with_its_default_and_never_the_secret(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["settings"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.startswith("KANAL_SECRET_KEY") and "(required)" in line for line in lines)
    assert any(line.startswith("DATABASE_URL") and "sqlite:///instance/kanal.db" in line for line in lines)
    assert any(line.startswith("KANAL_LOGIN_MAX_ATTEMPTS") for line in lines)
    assert TEST_SECRET not in result.output


def test_seeding_the_demo_twice_adds_nothing_the_second_time(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = {
        model.__name__: _count(model) for model in (Department, Queue, StaffUser, Resident, Category, Service)
    }
    assert counts["Service"] >= 20
    assert counts["StaffUser"] >= len(Role)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    again = {
        model.__name__: _count(model) for model in (Department, Queue, StaffUser, Resident, Category, Service)
    }
    assert again == counts


def test_the_demo_has_one_staff_account_per_role_that_can_log_in(app: Flask, client: FlaskClient) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert "password" in result.output.lower()
    db.rollback()
    staff = list(db.scalars(select(StaffUser)))
    assert {role for user in staff for role in user.roles} == set(Role)
    for user in staff:
        response = client.post("/staff/login", data={"email": user.email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, user.email
        client.post("/staff/logout")


def test_create_staff_adds_an_account_that_can_log_in_with_its_role(app: Flask, client: FlaskClient) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "create-staff",
            "--email",
            "Nora.Nilsson@Exempelstad.se",
            "--name",
            "Nora Nilsson",
            "--role",
            "case_officer",
            "--role",
            "agent",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "nora.nilsson@exempelstad.se" in result.output.lower()
    db.rollback()
    user = db.scalar(select(StaffUser).where(StaffUser.email == "nora.nilsson@exempelstad.se"))
    assert user is not None
    assert user.roles == {Role.CASE_OFFICER, Role.AGENT}
    assert user.password_hash != "a long enough password"
    response = client.post(
        "/staff/login", data={"email": "nora.nilsson@exempelstad.se", "password": "a long enough password"}
    )
    assert response.status_code == 302


def test_create_staff_refuses_an_unknown_role(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "create-staff",
            "--email",
            "x@exempelstad.se",
            "--name",
            "X",
            "--role",
            "mayor",
            "--password",
            "pw",
        ]
    )
    assert result.exit_code != 0
    assert "mayor" in result.output
    assert _count(StaffUser) == 0


def _create_nora(app: Flask, *password: str, prompt: str | None = None):  # type: ignore[no-untyped-def]
    args = ["create-staff", "--email", "nora@exempelstad.se", "--name", "Nora Nilsson", "--role", "agent"]
    return app.test_cli_runner().invoke(args=[*args, *password], input=prompt)


def test_create_staff_refuses_a_password_easy_to_guess_and_says_why_in_the_default_language(
    app: Flask,
) -> None:
    result = _create_nora(app, "--password", "Password1234")

    assert result.exit_code == 2
    assert "Invalid value for '--password'" in result.output
    assert "Lösenordet är för lätt att gissa." in result.output
    assert "ett vanligt lösenord" in result.output
    assert _count(StaffUser) == 0


def test_create_staff_refuses_a_short_password_even_when_typed_at_the_prompt(app: Flask) -> None:
    result = _create_nora(app, prompt="x7#Qv!2z\nx7#Qv!2z\n")

    assert result.exit_code == 2
    assert "Lösenordet måste ha minst 12 tecken." in result.output
    assert _count(StaffUser) == 0


def test_create_staff_refuses_an_e_mail_address_already_in_use_without_a_traceback(app: Flask) -> None:
    assert _create_nora(app, "--password", "tangent-pelikan-ostbåge").exit_code == 0

    again = _create_nora(app, "--password", "another pelican passphrase")

    assert again.exit_code == 2
    assert "Det finns redan ett personalkonto med den här e-postadressen." in again.output
    assert "Traceback" not in again.output and _count(StaffUser) == 1


def test_create_staff_help_states_the_password_policy(app: Flask) -> None:
    text = " ".join(app.test_cli_runner().invoke(args=["create-staff", "--help"]).output.split())
    assert "At least 12 characters and not easy to guess" in text


def test_verify_audit_exits_0_on_an_intact_chain_and_1_on_a_broken_one(app: Flask) -> None:
    runner = app.test_cli_runner()
    empty = runner.invoke(args=["verify-audit"])
    assert empty.exit_code == 0
    assert "0 entries" in empty.output
    for n in range(3):
        audit.record("read", "resident", n, resident_id=n)
    db.commit()
    intact = runner.invoke(args=["verify-audit"])
    assert intact.exit_code == 0
    assert "Audit chain intact: 3 entries verified." in intact.output

    db.execute(text("DELETE FROM audit_entry WHERE id = 2"))
    db.commit()
    broken = runner.invoke(args=["verify-audit"])
    assert broken.exit_code == 1
    assert "BROKEN at entry 3" in broken.output
    assert "removed" in broken.output


def test_verify_audit_notices_missing_newest_entries(app: Flask) -> None:
    for n in range(3):
        audit.record("read", "resident", n)
    db.commit()
    db.execute(text("DELETE FROM audit_entry WHERE id = 3"))
    db.commit()
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert "BROKEN at the end of the chain" in result.output
