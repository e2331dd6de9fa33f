"""Who does something to a draft or a case: a resident, a staff member, an external case system's API token,
nobody identified, or Kanal itself. One value for the filing flow, case handling and the REST API, so each
records its actor the same way on the timeline and in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.models import Resident, StaffUser

if TYPE_CHECKING:
    from eservices.api_models import ApiToken

__all__ = ["Actor"]


@dataclass(frozen=True)
class Actor:
    """`kind` and `id` are what timeline events and audit entries record; `display_name` is what people read
    (on a decision letter, beside a message); `staff_user` is the staff member behind a "staff" actor."""

    kind: str
    id: str | None = None
    display_name: str = ""
    staff_user: StaffUser | None = field(default=None, compare=False, repr=False)

    RESIDENT = "resident"
    STAFF = "staff"
    API_TOKEN = "api_token"  # noqa: S105  a kind of actor, not a secret
    ANONYMOUS = "anonymous"
    SYSTEM = "system"

    @classmethod
    def resident(cls, resident: Resident) -> Actor:
        return cls(cls.RESIDENT, str(resident.id), resident.full_name)

    @classmethod
    def staff(cls, staff: StaffUser) -> Actor:
        return cls(cls.STAFF, str(staff.id), staff.full_name, staff)

    @classmethod
    def api_token(cls, token: ApiToken) -> Actor:
        return cls(cls.API_TOKEN, str(token.id), token.name)

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(cls.ANONYMOUS, None)

    @classmethod
    def system(cls) -> Actor:
        return cls(cls.SYSTEM, None)

    @property
    def api_token_id(self) -> int | None:
        return int(self.id) if self.kind == self.API_TOKEN and self.id is not None else None

    @property
    def staff_id(self) -> int | None:
        return self.staff_user.id if self.staff_user is not None else None

    def as_tuple(self) -> tuple[str, str | None]:
        """(kind, id) as `add_case_event` and `core.audit.record` take it."""
        return (self.kind, self.id)
