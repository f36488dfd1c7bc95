"""Who is signed in, and what that lets them do in the web service. Pure: no I/O.

Three roles:
- **doctor**: a doctor on a district's roll, known by the e-mail address there. Acts only as
  themselves: their actions are recorded as `doctor:<id>`;
- **operator**: the clinic head. Steers rounds, decides doctors' requests (R-EX-2 exemptions and
  the rest) of the districts their account serves, and may enter an action for a doctor at the
  meeting through the operator's own route — recorded as `operator:<account id> for doctor:<id>`,
  never as the doctor;
- **admin**: edits the registry of the districts they serve; may do all an operator may.
Operators and admins are recorded by their account's stable id (`operator:acct-3`), not by their
name, which is neither unique nor fixed. The actor of every event comes from here, from the
sign-in, never from text typed in a request.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain import actors

Role = Literal["doctor", "operator", "admin"]
EVERY_DISTRICT = "*"  # an operator's or admin's scope: every district of the installation


class DoctorRef(BaseModel):
    """One roll the signed-in person is on: the district and their doctor id there."""

    model_config = ConfigDict(frozen=True)

    district: str
    doctor: str


class Principal(BaseModel):
    """The signed-in person. `name` is shown; `account_id` is recorded for operators and admins.

    `districts` is the operator's or admin's scope (EVERY_DISTRICT: all). `provider_roles` and
    `provider_districts` are what an identity provider granted at sign-in: kept so the roles can
    be derived again from the accounts table and the registry on each request
    (app/identity/current.py) without losing them."""

    model_config = ConfigDict(frozen=True)

    email: str = Field(repr=False)
    name: str = Field(repr=False)
    roles: tuple[Role, ...]
    doctors: tuple[DoctorRef, ...] = ()
    districts: tuple[str, ...] = ()  # the districts an operator or admin serves (their account, or the provider)
    via: Literal["link", "oidc", "test"] = "link"
    account_id: str | None = None
    provider_roles: tuple[Role, ...] = ()
    provider_districts: tuple[str, ...] = ()

    @property
    def is_doctor(self) -> bool:
        return bool(self.doctors)

    @property
    def is_operator(self) -> bool:
        return "operator" in self.roles or "admin" in self.roles

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def doctor_in(self, district: str) -> str | None:
        """This person's doctor id in the district, if they are on its roll."""
        return next((d.doctor for d in self.doctors if d.district == district), None)

    def serves(self, district: str) -> bool:
        """True when this operator or admin serves the district (their account's scope)."""
        return self.is_operator and (EVERY_DISTRICT in self.districts or district in self.districts)

    def _staff_id(self) -> str:
        # An account's stable id; a provider-granted role without an account row is known by name.
        return self.account_id or self.name

    def operator_actor(self) -> str:
        """`operator:<account id>`: steering a round, deciding a request."""
        return actors.operator(self._staff_id())

    def admin_actor(self) -> str:
        """`admin:<account id>`: editing the registry."""
        return actors.actor("admin", self._staff_id())

    def operator_for(self, doctor: str) -> str:
        """`operator:<account id> for doctor:<id>`: an operator entering a doctor's action or
        request for them (at the allocation meeting), never recorded as the doctor."""
        return actors.on_behalf(self.operator_actor(), doctor)

    def actor_for(self, district: str, doctor: str) -> str | None:
        """The actor to record when this person acts as `doctor` of `district`: the doctor
        themselves, or None. Nobody else ever acts as a doctor (an operator enters an action
        for one through `operator_for`)."""
        if self.doctor_in(district) == doctor:
            return actors.doctor(doctor)
        return None
