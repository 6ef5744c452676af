"""Extra fields HQ defines for customers, devices and tickets (issue 18 §4). A record's
values live in its own ``custom_fields`` JSON column, by key."""

from __future__ import annotations

from sqlalchemy import JSON, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Record
from .enums import CustomFieldEntity, CustomFieldType, enum_column


class CustomField(Record, Base):
    """One field's definition: its key (how values, imports and filters name it), type,
    labels in both languages, whether a new record must give it, and a choice's options.
    Never deleted or retyped: a retired field is deactivated and its values stay."""

    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("entity", "key"),)
    entity: Mapped[CustomFieldEntity] = mapped_column(enum_column(CustomFieldEntity))
    key: Mapped[str] = mapped_column(String(40))
    type: Mapped[CustomFieldType] = mapped_column(enum_column(CustomFieldType))
    label_zh: Mapped[str] = mapped_column(String(50))
    label_en: Mapped[str] = mapped_column(String(100))
    required: Mapped[bool] = mapped_column(default=False)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Filled by the engineer on site (the phone, a completion report): ``required`` then means
    # "before the job is completed", not "when the record is made" (custom_fields/on_site.py).
    on_site: Mapped[bool] = mapped_column(default=False, server_default=false())
