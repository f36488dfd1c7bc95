"""Where the mail activity finds a doctor's address at send time: a `ContactBook`.

The district registry (adapters/postgres/registry.py, `RegistryStore.contact`) is the production
book; anything with the same method fits. Contact data lives in the registry only: it is read
here, used for one SMTP conversation and dropped, never logged, returned or put in a payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Contact:
    email: str | None = field(repr=False)  # None or "": the registry has no address
    name: str | None = field(default=None, repr=False)  # the doctor's own name, for the greeting


@runtime_checkable
class ContactBook(Protocol):
    async def contact(self, district_id: str, doctor_id: str) -> Contact | None:
        """The doctor's contact as the registry holds it now; None for an unknown doctor."""
        ...
