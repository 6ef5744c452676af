"""The Tickets query's filter and its translation into the domain's."""

from __future__ import annotations

import graphene

from wellspring.domain import tickets

from ..core import enums
from ..core.ids import parse_global_id
from ..core.scalars import DateTime
from ..masterdata.custom_fields import CustomFieldFilter, filter_pair


class TicketFilter(graphene.InputObjectType):
    """All conditions must hold; a list matches any of its values."""

    status = graphene.List(graphene.NonNull(enums.TicketStatus))
    type = graphene.List(graphene.NonNull(enums.TicketType))
    priority = graphene.List(graphene.NonNull(enums.Priority))
    branch_id = graphene.ID()
    customer_id = graphene.ID()
    device_id = graphene.ID()
    overdue = graphene.Boolean(
        description="Not finished by its due time (true) or finished or still in time (false); "
        "completed work is judged by when it was done (see Ticket.overdue)."
    )
    open = graphene.Boolean(
        description="Only tickets not yet closed, rejected or cancelled (true), or only those "
        "closed, rejected or cancelled (false)."
    )
    urgent_first = graphene.Boolean(
        description="Order by priority (urgent first), then the earliest due, then the oldest; "
        "with `open: true` this is the queue of unresolved urgent work."
    )
    created_after = graphene.Field(DateTime)
    created_before = graphene.Field(DateTime)
    custom_field = graphene.Field(
        CustomFieldFilter, description="Only tickets with this custom field value."
    )


def ticket_filter(value: TicketFilter | None) -> tickets.TicketFilter:
    if value is None:
        return tickets.TicketFilter()
    return tickets.TicketFilter(
        statuses=list(value.get("status") or []),
        types=list(value.get("type") or []),
        priorities=list(value.get("priority") or []),
        branch_id=parse_global_id(value["branch_id"], "Branch", field="filter.branchId")
        if value.get("branch_id")
        else None,
        customer_id=parse_global_id(value["customer_id"], "Customer", field="filter.customerId")
        if value.get("customer_id")
        else None,
        device_id=parse_global_id(value["device_id"], "Device", field="filter.deviceId")
        if value.get("device_id")
        else None,
        overdue=value.get("overdue"),
        open=value.get("open"),
        urgent_first=bool(value.get("urgent_first")),
        created_after=value.get("created_after"),
        created_before=value.get("created_before"),
        custom_field=filter_pair(value.get("custom_field")),
    )
