"""Who is signed in, and what that lets them do in the web service. Pure: no I/O.

Three roles:
- **doctor**: a doctor on a district's roll, known by the e-mail address there. Acts only as
  themselves: their actions are recorded as `doctor:<id>`;
- **operator**: the clinic head. Steers rounds, decides doctors' requests (R-EX-2 exemptions and
  the rest), and may enter an action for a doctor — recorded as `operator:<name>`;
- **admin**: edits the registry; may do all an operator may.
The actor of every event comes from here, from the sign-in, never from text typed in a request.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain import actors

Role = Literal["doctor", "operator", "admin"]


class DoctorRef(BaseModel):
    """One roll the signed-in person is on: the district and their doctor id there."""

    model_config = ConfigDict(frozen=True)

    district: str
    doctor: str


class Principal(BaseModel):
    """The signed-in person. `name` is shown and, for operators and admins, recorded."""

    model_config = ConfigDict(frozen=True)

    email: str = Field(repr=False)
    name: str = Field(repr=False)
    roles: tuple[Role, ...]
    doctors: tuple[DoctorRef, ...] = ()
    districts: tuple[str, ...] = ()  # the districts an operator or admin serves (from the provider)
    via: Literal["link", "oidc", "test"] = "link"

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

    def operator_actor(self) -> str:
        """`operator:<name>`: steering a round, deciding a request, acting for a doctor."""
        return actors.operator(self.name)

    def admin_actor(self) -> str:
        """`admin:<name>`: editing the registry."""
        return actors.actor("admin", self.name)

    def actor_for(self, district: str, doctor: str) -> str | None:
        """The actor to record when this person acts for `doctor` of `district`: the doctor
        themselves, or an operator entering it for them. None: not allowed."""
        if self.doctor_in(district) == doctor:
            return actors.doctor(doctor)
        if self.is_operator:
            return self.operator_actor()
        return None
