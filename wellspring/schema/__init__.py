"""The GraphQL layer only: types, queries, mutations, loaders and error mapping.

No business rule lives here: each resolver calls a domain service.
"""

from __future__ import annotations

from functools import lru_cache

import graphene

from .auth.mutations import Login, Logout, RefreshToken, RevokeSession
from .customers.types import Address, Contact
from .devices.types import AccountCard, FilterType
from .dispatch.fields import ApplyRoutePlan, GeocodeAddress, OptimizeRoutes, UpdateLocation
from .dispatch.types import RoutePlan
from .inventory.mutations import (
    CheckOldParts,
    ConfirmReplacement,
    ConsumeParts,
    DecideBreakage,
    MoveStock,
    ReceiveMachine,
    ReceiveTransfer,
    SetSafetyStock,
)
from .masterdata.catalogue import ReceiveCards, UpsertDeviceModel, UpsertPart, UpsertWarehouse
from .masterdata.org import (
    CreateUser,
    DeactivateUser,
    ResetPassword,
    UpdateUser,
    UpsertBranch,
    UpsertTechnician,
)
from .org.types import Agent, Technician
from .queries import Query
from .tickets.types import FollowUp, Job, JobStatusChange, TicketStatusChange
from .workflow.mutations import (
    AcceptJob,
    ApproveTicket,
    ArriveOnSite,
    AssignJob,
    CancelTicket,
    CompleteJob,
    DispatchTicket,
    FailJob,
    OpenTicket,
    RecordFollowUp,
    RejectTicket,
    ResolveTicket,
    RouteTicket,
    StartTravel,
)


class Mutation(graphene.ObjectType):
    login = Login.Field()
    refresh_token = RefreshToken.Field()
    logout = Logout.Field()
    revoke_session = RevokeSession.Field()
    # dispatchers
    open_ticket = OpenTicket.Field()
    approve_ticket = ApproveTicket.Field()
    reject_ticket = RejectTicket.Field()
    dispatch_ticket = DispatchTicket.Field()
    assign_job = AssignJob.Field()
    cancel_ticket = CancelTicket.Field()
    record_follow_up = RecordFollowUp.Field()
    route_ticket = RouteTicket.Field()
    resolve_ticket = ResolveTicket.Field()
    optimize_routes = OptimizeRoutes.Field()
    apply_route_plan = ApplyRoutePlan.Field()
    geocode_address = GeocodeAddress.Field()
    # engineers
    accept_job = AcceptJob.Field()
    start_travel = StartTravel.Field()
    arrive_on_site = ArriveOnSite.Field()
    complete_job = CompleteJob.Field()
    fail_job = FailJob.Field()
    consume_parts = ConsumeParts.Field()
    update_location = UpdateLocation.Field()
    # stock
    move_stock = MoveStock.Field()
    receive_transfer = ReceiveTransfer.Field()
    decide_breakage = DecideBreakage.Field()
    set_safety_stock = SetSafetyStock.Field()
    receive_machine = ReceiveMachine.Field()
    check_old_parts = CheckOldParts.Field()
    confirm_replacement = ConfirmReplacement.Field()
    # master data (HQ, admins; a clerk for their branch's engineers)
    upsert_branch = UpsertBranch.Field()
    upsert_warehouse = UpsertWarehouse.Field()
    upsert_part = UpsertPart.Field()
    upsert_device_model = UpsertDeviceModel.Field()
    upsert_technician = UpsertTechnician.Field()
    receive_cards = ReceiveCards.Field()
    create_user = CreateUser.Field()
    update_user = UpdateUser.Field()
    deactivate_user = DeactivateUser.Field()
    reset_password = ResetPassword.Field()


@lru_cache(maxsize=1)
def build_schema() -> graphene.Schema:
    # Types reachable only through `node(id:)` are listed so the interface can return them.
    extra = [Address, Contact, AccountCard, FilterType, Agent, Technician, Job]
    extra += [JobStatusChange, TicketStatusChange, FollowUp, RoutePlan]
    return graphene.Schema(query=Query, mutation=Mutation, types=extra, auto_camelcase=True)
