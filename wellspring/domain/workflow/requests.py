"""What a caller asks for when opening a ticket: plain, validated data (no transport types)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ...geo import centroids
from ...geo.coords import CoordSystem
from ..bounds import MAX_RECHARGE_BUCKETS, MAX_RECHARGE_MONTHS, check_cents, check_int, check_length
from ..errors import DomainError
from ..models.enums import Channel, CustomerKind, CustomerTier, Priority, SupplyMode, TicketType

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


class PaymentMethod(enum.StrEnum):
    """How a recharge is paid."""

    ON_SITE = "ON_SITE"  # to the engineer
    POSTAL = "POSTAL"  # postal remittance
    CARD = "CARD"  # bank card
    ONLINE = "ONLINE"


PAYMENT_METHODS = frozenset(PaymentMethod)


def check_phone(value: str, field_name: str) -> str:
    """Mainland mobile (11 digits, 1[3-9]…) or landline with area code (010-12345678)."""
    phone = value.strip().replace(" ", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not (MOBILE.match(phone) or LANDLINE.match(phone)):
        raise DomainError("INVALID_PHONE", field=field_name, value=value[:32])
    return phone


def require(value: str | None, field_name: str, maximum: int = 100) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError("REQUIRED", field=field_name)
    if len(text) > maximum:
        raise DomainError("VALUE_TOO_LONG", field=field_name, maximum=maximum)
    return text


@dataclass(frozen=True)
class AddressInput:
    province: str
    city: str
    district: str
    street: str = ""
    community: str = ""
    building: str = ""
    room: str = ""
    latitude: float | None = None
    longitude: float | None = None
    coord_system: CoordSystem = CoordSystem.WGS84  # the client's map; stored as WGS-84

    def validated(self, prefix: str) -> dict[str, Any]:
        values = {
            "province": require(self.province, f"{prefix}.province", 50),
            "city": require(self.city, f"{prefix}.city", 50),
            "district": require(self.district, f"{prefix}.district", 50),
            "street": check_length(self.street.strip(), f"{prefix}.street", 100),
            "community": check_length(self.community.strip(), f"{prefix}.community", 100),
            "building": check_length(self.building.strip(), f"{prefix}.building", 50),
            "room": check_length(self.room.strip(), f"{prefix}.room", 50),
            "latitude": self.latitude,
            "longitude": self.longitude,
        }
        lat, lon = self.latitude, self.longitude
        if (lat is None) != (lon is None) or (
            lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180)
        ):
            raise DomainError("INVALID_ARGUMENT", field=f"{prefix}.latitude")
        check_district(self.province, self.city, self.district.strip(), prefix)
        return values


def check_district(province: str, city: str, district: str, prefix: str) -> None:
    """A district the city does not have is refused with the valid ones (a typo would
    otherwise land silently on the city centre). Cities outside the table are not checked."""
    valid = centroids.known_districts(province, city, district)
    if valid is not None:
        raise DomainError(
            "UNKNOWN_DISTRICT",
            field=f"{prefix}.district",
            value=district,
            city=city,
            valid="、".join(valid),
        )


@dataclass(frozen=True)
class NewCustomerInput:
    name: str
    phone: str
    address: AddressInput
    kind: CustomerKind = CustomerKind.PERSON
    tier: CustomerTier = CustomerTier.IRON
    contact_name: str = ""
    # HQ's extra customer fields by key, as text (domain/custom_fields/values.py)
    custom_fields: dict[str, str | None] | None = None


@dataclass(frozen=True)
class InstallRequest:
    """The caller's card, the machine's model and serial (装机)."""

    card_number: str
    device_model_id: str
    serial_number: str
    contract_number: str = ""
    price: Decimal | None = None


@dataclass(frozen=True)
class RechargeRequest:
    """Water bought: months on a monthly plan or buckets on a bucket plan (冲水)."""

    plan: SupplyMode
    quantity: int
    # What staff took; a customer's own recharge is priced by the standard (recharge_prices.py).
    unit_price: Decimal | None
    payment_method: str

    def validated(self) -> dict[str, Any]:
        if self.quantity <= 0:
            raise DomainError("QUANTITY_OUT_OF_RANGE", field="recharge.quantity")
        most = MAX_RECHARGE_MONTHS if self.plan is SupplyMode.MONTHLY else MAX_RECHARGE_BUCKETS
        check_int(self.quantity, "recharge.quantity", 1, most)
        if self.unit_price is None:
            raise DomainError("REQUIRED", field="recharge.unit_price")
        if self.unit_price < 0:
            raise DomainError("AMOUNT_NEGATIVE", field="recharge.unit_price")
        check_cents(self.unit_price, "recharge.unit_price")
        if self.payment_method not in PAYMENT_METHODS:
            raise DomainError("INVALID_ARGUMENT", field="recharge.payment_method")
        return {
            "plan": self.plan.value,
            "quantity": self.quantity,
            "unit_price": str(self.unit_price),
            "payment_method": self.payment_method,
        }


@dataclass(frozen=True)
class OpenTicketRequest:
    type: TicketType
    customer_id: str | None = None
    new_customer: NewCustomerInput | None = None
    branch_id: str | None = None
    device_id: str | None = None
    card_id: str | None = None
    address_id: str | None = None
    description: str = ""
    priority: Priority = Priority.NORMAL
    channel: Channel = Channel.HOTLINE
    install: InstallRequest | None = None
    recharge: RechargeRequest | None = None
    relocate_to: AddressInput | None = None
    # Parts the visit will need, so the engineer can check the van before leaving.
    expected_parts: list[tuple[str, int]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # Open it even though the device has an open ticket of the same type (DUPLICATE_OPEN_TICKET),
    # or create the new customer though one of that name and phone exists (CUSTOMER_EXISTS).
    allow_duplicate: bool = False
    # HQ's extra ticket fields by key, as text (domain/custom_fields/values.py)
    custom_fields: dict[str, str | None] | None = None
    # The agent a dispatcher opens it through (its customer; only its engineers go).
    agent_id: str | None = None
