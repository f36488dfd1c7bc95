"""Who a signed-in person may act as, and how it is recorded (domain.identity, domain.actors): a
doctor only as themselves; an operator never as a doctor, but for one as
`operator:<account id> for doctor:<id>`; operators and admins only in the districts they serve.
And one doctor per address on a roll (the address is the sign-in identifier)."""

from __future__ import annotations

import pytest

from domain import actors
from domain.identity import DoctorRef, Principal
from tests.unit.test_registry_csv import _csv, _doctor, _problems

KARI = Principal(email="kari@klinikk.no", name="Kari Nordmann", roles=("operator",), account_id="acct-7",
                 districts=("demo",))
GP04 = Principal(email="gp04@lege.no", name="Gro", roles=("doctor",), doctors=(DoctorRef(district="demo", doctor="gp04"),))


def test_an_operator_never_acts_as_a_doctor_but_for_one():
    assert KARI.actor_for("demo", "gp05") is None
    assert KARI.operator_for("gp05") == "operator:acct-7 for doctor:gp05"
    assert KARI.operator_actor() == "operator:acct-7"  # the account's id, not the name
    admin = KARI.model_copy(update={"roles": ("admin",)})
    assert admin.admin_actor() == "admin:acct-7"
    assert GP04.actor_for("demo", "gp04") == "doctor:gp04" and GP04.actor_for("demo", "gp05") is None


def test_an_entry_for_a_doctor_is_the_operators_own():
    entered = KARI.operator_for("gp05")
    assert actors.entered_by(entered, "operator:acct-7") and actors.entered_by("operator:acct-7", "operator:acct-7")
    assert not actors.entered_by(entered, "operator:acct-70") and not actors.entered_by("doctor:gp05", "operator:acct-7")
    with pytest.raises(ValueError):
        actors.on_behalf("operator:acct-7", "gp\x1b05")


def test_operators_and_admins_serve_only_their_districts():
    assert KARI.serves("demo") and not KARI.serves("north")
    every = KARI.model_copy(update={"districts": ("*",)})
    assert every.serves("north")
    assert not GP04.serves("demo")  # a doctor serves no district as staff
    assert not KARI.model_copy(update={"roles": ()}).serves("demo")


def test_one_doctor_per_address_on_a_roll():
    error = _problems(_csv([_doctor(1), _doctor(2, email="GP1@example.no")]))
    [problem] = [p for p in error.problems if "email" in p]
    assert "the same address as row" in problem and "gp1@" not in problem.lower(), error.problems
