"""What the tracking page reads of a visit (``TrackVisit``, ``visitTracking``): a view made
by ``domain/tracking/view.py``, never a model, so no field can reach further than it."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.tracking.view import VisitView

from ..core import enums
from ..core.ids import global_id
from ..core.scalars import DateTime


class VisitStep(graphene.ObjectType):
    """One step of the visit's timeline."""

    stage = graphene.Field(enums.VisitStage, required=True)
    reached = graphene.Boolean(required=True)
    at = graphene.Field(
        DateTime,
        description="When it happened: for APPOINTED, when the appointment was agreed (the "
        "agreed window is the visit's `windowStart`/`windowEnd`).",
    )


class MapPoint(graphene.ObjectType):
    """A point rounded to about 100 m, in WGS-84."""

    latitude = graphene.Float(required=True)
    longitude = graphene.Float(required=True)


class VisitEngineer(graphene.ObjectType):
    """The engineer as the customer may see them."""

    name = graphene.String(
        required=True, description="The first (given) name only, unless the company shows more."
    )
    phone = graphene.String(
        description="Only when the company enables it (WELLSPRING_TRACKING_SHOW_ENGINEER_PHONE)."
    )
    photo_url = graphene.String(description="The employee photo, if there is one.")


class TrackedVisit(graphene.ObjectType):
    """One visit as its customer follows it: status, window, ETA, the engineer's first name,
    their position only while on the way to this visit, and the branch's hotline."""

    ticket_id = graphene.ID(required=True, description="For the `VisitEvents` subscription.")
    ticket_number = graphene.String(required=True)
    ticket_type = graphene.Field(enums.TicketType, required=True)
    stage = graphene.Field(enums.VisitStage, required=True)
    steps = graphene.List(graphene.NonNull(VisitStep), required=True)
    window_start = graphene.Field(DateTime)
    window_end = graphene.Field(DateTime)
    eta = graphene.Field(DateTime, description="While appointed or on the way.")
    engineer = graphene.Field(VisitEngineer)
    engineer_position = graphene.Field(
        MapPoint, description="Only between setting off and arriving; the latest fix, rounded."
    )
    position_at = graphene.Field(DateTime)
    destination = graphene.Field(MapPoint, description="The visit's own address, rounded.")
    hotline = graphene.String(required=True, description="The branch's phone number.")
    can_rate = graphene.Boolean(required=True)
    score = graphene.Int(description="The score given, once the visit is rated.")
    can_request_change = graphene.Boolean(
        required=True,
        description="A change may still be asked: before the engineer is on site, and not every "
        "kind is already asked and waiting.",
    )
    change_requested = graphene.List(
        graphene.NonNull(enums.VisitChangeKind),
        required=True,
        description="The changes asked and still waiting for the hotline: asking again for one "
        "opens no other inquiry.",
    )
    expires_at = graphene.Field(DateTime, description="When the link stops working (links only).")

    @staticmethod
    def resolve_ticket_id(root: VisitView, _info: ResolveInfo) -> str:
        return global_id("Ticket", root.ticket_id)

    @staticmethod
    def resolve_steps(root: VisitView, _info: ResolveInfo) -> Any:
        return list(root.steps)

    @staticmethod
    def resolve_change_requested(root: VisitView, _info: ResolveInfo) -> Any:
        return list(root.change_requested)

    @staticmethod
    def resolve_engineer(root: VisitView, _info: ResolveInfo) -> Any:
        if not root.engineer_name:
            return None
        return VisitEngineer(
            name=root.engineer_name,
            phone=root.engineer_phone or None,
            photo_url=root.engineer_photo_url or None,
        )
