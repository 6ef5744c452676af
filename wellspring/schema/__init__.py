"""The GraphQL layer only: types, queries, mutations, loaders and error mapping.

No business rule lives here: each resolver calls a domain service.
"""

from __future__ import annotations

from functools import lru_cache

import graphene
from graphql import (
    GraphQLArgument,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_non_null_type,
)

from .agents.mutations import (
    CancelAgentOrder,
    ConfirmAgentOrder,
    PlaceAgentOrder,
    ShipAgentOrder,
    UpsertAgent,
    UpsertPriceStandard,
)
from .agents.payments import RecordAgentPayment
from .agents.types import AgentOrderLine
from .auth.mutations import Login, Logout, RefreshToken, RevokeSession, UnlockUser
from .core.field_guard import guard_fields
from .core.input_paths import remember_arguments
from .core.permission_docs import describe_permissions
from .customers.types import Address, Contact
from .devices.types import AccountCard, FilterType
from .dispatch.fields import ApplyRoutePlan, GeocodeAddress, OptimizeRoutes, UpdateLocation
from .dispatch.types import RoutePlan
from .hotline.mutations import AssignCallback, RecordCallback, RecordMissedCall, UpsertArticle
from .imports.fields import RequestImportUpload, StartImport
from .inventory.discrepancies import ResolveStockDiscrepancy
from .inventory.follow_ups import (
    CheckOldParts,
    ConfirmReplacement,
    DecideBreakage,
    ReceiveMachine,
    ReceiveTransfer,
    SetSafetyStock,
)
from .inventory.mutations import ConsumeParts, MoveStock
from .live.types import Subscription
from .masterdata.bin_locations import UpsertBinLocation
from .masterdata.catalogue import ReceiveCards, UpsertDeviceModel, UpsertPart, UpsertWarehouse
from .masterdata.custom_fields import DefineCustomField, SetCustomFieldValues
from .masterdata.fault_codes import UpsertFaultCode
from .masterdata.org import (
    CreateUser,
    DeactivateUser,
    ResetPassword,
    UpdateUser,
    UpsertBranch,
    UpsertTechnician,
)
from .masterdata.own_password import ChangePassword
from .masterdata.repair_levels import UpsertRepairLevel
from .media.mutations import ConfirmUpload, RequestUpload
from .notifications.preferences import SetNotificationPreferences
from .notifications.types import (
    MarkNotificationsRead,
    Notification,
    RegisterPushDevice,
    UnregisterPushDevice,
)
from .org.types import Agent, Technician
from .outlets.mutations import (
    AdjustOutletSettlement,
    ConfirmOutletSettlement,
    GenerateOutletSettlement,
    MarkOutletSettlementPaid,
    RecordOutletAssessment,
    UpsertServiceOutlet,
)
from .outlets.types import OutletAssessment
from .queries import Query
from .tickets.follow_ups import FollowUp
from .tickets.history import JobStatusChange, TicketStatusChange
from .tickets.types import Job
from .tracking.fields import (
    RateVisit,
    RequestVisitChange,
    RevokeTrackingLinks,
    ShareTrackingLink,
)
from .workflow.customer_edits import ReassignCustomer, UpdateCustomer, UpdateMyContact
from .workflow.desk import ResolveTicket, RouteTicket
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
    StartTravel,
)


class Mutation(graphene.ObjectType):
    login = Login.Field()
    refresh_token = RefreshToken.Field()
    logout = Logout.Field()
    revoke_session = RevokeSession.Field()
    unlock_user = UnlockUser.Field()
    # dispatchers
    open_ticket = OpenTicket.Field()
    update_customer = UpdateCustomer.Field()
    reassign_customer = ReassignCustomer.Field()
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
    resolve_stock_discrepancy = ResolveStockDiscrepancy.Field()
    # photos, signatures and forms from the field
    request_upload = RequestUpload.Field()
    confirm_upload = ConfirmUpload.Field()
    # everyone: the inbox and the phone's push registration
    mark_notifications_read = MarkNotificationsRead.Field()
    register_push_device = RegisterPushDevice.Field()
    unregister_push_device = UnregisterPushDevice.Field()
    # master data (HQ, admins; a clerk for their branch's engineers)
    upsert_branch = UpsertBranch.Field()
    upsert_warehouse = UpsertWarehouse.Field()
    upsert_part = UpsertPart.Field()
    upsert_device_model = UpsertDeviceModel.Field()
    upsert_fault_code = UpsertFaultCode.Field()
    upsert_technician = UpsertTechnician.Field()
    receive_cards = ReceiveCards.Field()
    create_user = CreateUser.Field()
    update_user = UpdateUser.Field()
    deactivate_user = DeactivateUser.Field()
    reset_password = ResetPassword.Field()
    # everyone: their own password
    change_password = ChangePassword.Field()
    start_import = StartImport.Field()
    # master data and import uploads (issue 14)
    upsert_repair_level = UpsertRepairLevel.Field()
    upsert_bin_location = UpsertBinLocation.Field()
    request_import_upload = RequestImportUpload.Field()
    # custom fields (issue 18 §4)
    define_custom_field = DefineCustomField.Field()
    set_custom_field_values = SetCustomFieldValues.Field()
    # customer tracking (issue 17): dispatchers share links; customers rate and ask
    share_tracking_link = ShareTrackingLink.Field()
    revoke_tracking_links = RevokeTrackingLinks.Field()
    rate_visit = RateVisit.Field()
    request_visit_change = RequestVisitChange.Field()
    # a customer's own phone and contact
    update_my_contact = UpdateMyContact.Field()
    # dealers (issue 18): HQ manages agents, prices and orders; an agent places its own
    upsert_agent = UpsertAgent.Field()
    place_agent_order = PlaceAgentOrder.Field()
    confirm_agent_order = ConfirmAgentOrder.Field()
    ship_agent_order = ShipAgentOrder.Field()
    cancel_agent_order = CancelAgentOrder.Field()
    upsert_price_standard = UpsertPriceStandard.Field()
    # outlets and the hotline's tools (issue 18)
    upsert_service_outlet = UpsertServiceOutlet.Field()
    record_outlet_assessment = RecordOutletAssessment.Field()
    generate_outlet_settlement = GenerateOutletSettlement.Field()
    adjust_outlet_settlement = AdjustOutletSettlement.Field()
    confirm_outlet_settlement = ConfirmOutletSettlement.Field()
    mark_outlet_settlement_paid = MarkOutletSettlementPaid.Field()
    record_missed_call = RecordMissedCall.Field()
    record_callback = RecordCallback.Field()
    upsert_article = UpsertArticle.Field()
    # dealers, the rest (issue 18): HQ records an agent's payments
    record_agent_payment = RecordAgentPayment.Field()
    # call backs assigned to a hotline agent (issue 18)
    assign_callback = AssignCallback.Field()
    # notify (issue 16): the opt-out of non-essential messages
    set_notification_preferences = SetNotificationPreferences.Field()


@lru_cache(maxsize=1)
def build_schema() -> graphene.Schema:
    # Types reachable only through `node(id:)` are listed so the interface can return them.
    extra = [Address, Contact, AccountCard, FilterType, Agent, Technician, Job]
    extra += [JobStatusChange, TicketStatusChange, FollowUp, RoutePlan, Notification]
    extra += [AgentOrderLine, OutletAssessment]
    schema = graphene.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=extra,
        auto_camelcase=True,
    )
    _fix_defaults(schema.graphql_schema)
    guard_fields(schema.graphql_schema)
    describe_permissions(schema.graphql_schema)
    remember_arguments(schema.graphql_schema)
    return schema


def _fix_defaults(schema: GraphQLSchema) -> None:
    """graphene gives an input field declared with ``graphene.Field`` a default of null.

    On a ``NonNull`` field that default makes graphql-core treat the field as optional, so
    ``openTicket(input: {})`` reached the resolver with ``type: None``. No input of ours
    means null as a default: every such default is removed, so required really is required.
    """
    for graphql_type in schema.type_map.values():
        if isinstance(graphql_type, GraphQLInputObjectType):
            for input_field in graphql_type.fields.values():
                if input_field.default_value is None:
                    input_field.default_value = Undefined
                _no_explicit_null(input_field)
        elif isinstance(graphql_type, GraphQLObjectType):
            for output_field in graphql_type.fields.values():
                for argument in output_field.args.values():
                    _no_explicit_null(argument)


def _no_explicit_null(value: GraphQLArgument | GraphQLInputField) -> None:
    """An argument with a default (``withinDays: Int = 30``) is NonNull: an explicit null
    would otherwise replace the default and reach the resolver as None."""
    if value.default_value not in (None, Undefined) and not is_non_null_type(value.type):
        value.type = GraphQLNonNull(value.type)
