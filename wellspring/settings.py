"""Settings from the environment (prefix ``WELLSPRING_``) and an optional ``.env`` file."""

from __future__ import annotations

import datetime as dt
import enum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from wellspring.domain.config import DomainConfig
from wellspring.domain.dispatch.config import DispatchConfig
from wellspring.domain.hotline.config import HotlineConfig
from wellspring.domain.reports.config import MaintenanceConfig
from wellspring.domain.tracking.config import TrackingConfig
from wellspring.domain.workflow.clock_rules import ClockRules
from wellspring.geo.geocoding import GeocoderSettings, build_geocoder
from wellspring.geo.travel import TravelModel

DEV_SECRET = "dev-only-secret-change-me-in-production-0123456789"  # noqa: S105 - refused in production


class Mode(enum.StrEnum):
    DEMO = "demo"
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WELLSPRING_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    mode: Mode = Mode.DEVELOPMENT
    database_url: str = f"sqlite+aiosqlite:///{Path('var/wellspring.db').as_posix()}"
    database_echo: bool = False
    # PostgreSQL connections each web or worker process keeps open, and how many more it may
    # open at a peak (docs/operations.md: processes × (size + overflow) < max_connections).
    database_pool_size: int = Field(default=10, ge=1, le=500)
    database_max_overflow: int = Field(default=10, ge=0, le=500)
    # How long a request waits for a pooled connection before it is answered 503 (busy).
    database_pool_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    secret_key: str = DEV_SECRET
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    # Failed-login throttle: after `login_max_failures` within the window the username is
    # locked for `login_lockout_seconds`, doubling on each further lockout up to
    # `login_max_lockout_seconds`; a client address is locked alike after
    # `login_address_max_failures` failures across any usernames. A signed-in user's wrong
    # current passwords (ChangePassword) count alike on a key of their own, never the sign-in's.
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    login_lockout_seconds: int = Field(default=60, ge=1)
    login_max_lockout_seconds: int = Field(default=900, ge=1, le=86_400)
    login_address_max_failures: int = Field(default=30, ge=1)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # A phone's push of a day offline (up to 1,000 records) fits well inside this.
    sync_max_body_bytes: int = Field(default=4_194_304, ge=1024)
    max_query_depth: int = Field(default=8, ge=2)
    max_query_cost: int = Field(default=5000, ge=10)
    max_query_tokens: int = Field(default=2000, ge=100)
    max_aliases: int = Field(default=15, ge=1)
    log_json: bool | None = None  # default: JSON unless in development mode
    # Service-level hours by ticket type and priority, over the defaults in
    # domain/workflow/sla.py, e.g. WELLSPRING_SLA_HOURS='{"REPAIR": {"URGENT": 2}}'.
    sla_hours: dict[str, dict[str, int]] = Field(default_factory=dict)
    # The PBX's missed-call webhook (POST /webhooks/pbx/missed-call): the shared secret it
    # signs with (HMAC-SHA256 of "<timestamp>.<body>"; empty: the webhook is off) and how far
    # the signed timestamp may be from now, either way, before a request counts as a replay.
    pbx_webhook_secret: str = ""
    pbx_replay_window_seconds: int = Field(default=300, ge=10, le=3600)
    # A missed call is closed unreturned after this many call backs without reaching anyone.
    callback_max_attempts: int = Field(default=3, ge=1, le=20)
    # A missed call's call back is due this many minutes after the call (MissedCall.dueAt).
    callback_sla_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    # A create's idempotencyKey answers a retry for this many days, then the worker's periodic
    # step deletes it and a call with it runs as new (docs/api.md, "Retries").
    idempotency_key_days: int = Field(default=30, ge=1, le=3650)
    # Maintenance from usage (domain/reports/config.py): a TDS reading this many times, and
    # this many mg/L above, the first after the last filter change makes a change due
    # (readings within the look-back); the bucket balances a customer is told at, and the
    # days after a monthly plan lapsed that the branch is told.
    tds_drift_ratio: float = Field(default=1.5, gt=1.0, le=100.0)
    tds_drift_min_mg_l: float = Field(default=10.0, ge=0.0, le=1000.0)
    tds_lookback_days: int = Field(default=365, ge=1, le=3660)
    buckets_low_at: tuple[int, ...] = Field(default=(2, 0), max_length=10)
    recharge_lapsed_days: tuple[int, ...] = Field(default=(1, 7), max_length=10)
    # A time the phone recorded is taken as the time of the work within these bounds: at most
    # this far ahead of the server's clock, at most this old (docs/sync.md, "Times").
    clock_skew_minutes: int = Field(default=10, ge=0, le=24 * 60)
    recorded_time_max_age_days: int = Field(default=7, ge=1, le=365)
    # Geo-dispatch. A phone position older than this counts as unknown.
    position_max_age_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # Geocoding is off by default (no network): client coordinates or district centroids.
    geocoder: Literal["none", "nominatim", "baidu"] = "none"
    geocoder_user_agent: str = "wellspring"
    geocoder_api_key: str = ""  # Baidu's AK
    geocoder_domain: str = ""  # a self-hosted Nominatim, say; empty = the provider's own
    geocoder_scheme: Literal["http", "https"] = "https"
    geocoder_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Road factor, per-trip overhead and speed profiles over the defaults in geo/travel.py,
    # e.g. WELLSPRING_TRAVEL_PROFILE='{"road_factor": 1.4, "profiles": {"杭州市": [...24]}}'.
    travel_profile: str = ""
    route_exploration_level: int = Field(default=5, ge=0, le=5)
    route_solver_threads: int = Field(default=2, ge=1, le=64)
    route_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    route_time_budget_seconds: float = Field(default=0.8, ge=0, le=600)
    # Photos, signatures and forms (wellspring/media/): a local folder served by the app
    # through signed URLs, or S3 (any S3-compatible store) through boto3.
    media_backend: Literal["local", "s3"] = "local"
    media_root: str = "var/media"  # local: the folder
    media_public_url: str = ""  # local: the app's address as phones reach it ("" = relative)
    media_bucket: str = ""
    media_region: str = ""
    media_endpoint_url: str = ""  # an S3-compatible store (MinIO, a test server ...)
    media_key_prefix: str = ""
    media_upload_minutes: int = Field(default=10, ge=1, le=15)
    media_url_minutes: int = Field(default=10, ge=1, le=24 * 60)
    # Bytes per attachment kind over the defaults of domain/media/config.py, e.g.
    # WELLSPRING_MEDIA_MAX_BYTES='{"SIGNATURE": 524288}'.
    media_max_bytes: dict[str, int] = Field(default_factory=dict)
    # Kinds a completion must carry by ticket type, over the defaults (install: SIGNATURE and
    # CONFIRMATION_FORM; water test: WATER_TEST_PHOTO), e.g. '{"REPAIR": ["FAULT_PHOTO"]}'.
    media_required_evidence: dict[str, list[str]] = Field(default_factory=dict)
    media_evidence_overdue_hours: int = Field(default=24, ge=1, le=24 * 30)
    # An import file uploaded through RequestImportUpload (at most 20 MiB, the reader's limit).
    import_upload_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=20 * 1024 * 1024)
    # Notifications (docs/operations.md, "Notifications"). Channels that really send, comma
    # separated: log, fcm, huawei, sms; a delivery for a channel not listed is logged instead.
    push_senders: str = "log"
    notify_worker_in_app: bool = False  # `make run` turns it on; else run `wellspring worker`
    notify_batch: int = Field(default=100, ge=1, le=500)
    notify_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    notify_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    notify_max_attempts: int = Field(default=8, ge=1, le=50)
    notify_scan_minutes: int = Field(default=60, ge=0, le=24 * 60)  # 0: no periodic scan
    notify_retention_days: int = Field(default=30, ge=0, le=3650)  # DONE outbox rows; 0: keep
    # Live updates (GraphQL subscriptions on the WebSocket at /graphql; docs/api.md). With a
    # Redis URL every web process hears every commit (pub/sub); without, only its own.
    redis_url: str = ""
    redis_channel_prefix: str = "wellspring:"
    ws_init_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # How often an open connection's token is checked again (signed out, expired, deactivated).
    ws_recheck_seconds: float = Field(default=60.0, gt=0, le=3600)
    fcm_project_id: str = ""
    fcm_credentials: str = ""  # a service account JSON file; empty: application default
    fcm_endpoint: str = ""  # default Google's; tests and self-hosted relays point it elsewhere
    huawei_app_id: str = ""
    huawei_client_id: str = ""
    huawei_client_secret: str = ""
    huawei_push_endpoint: str = ""  # default Huawei's
    huawei_token_endpoint: str = ""  # default Huawei's
    sms_access_key_id: str = ""
    sms_access_key_secret: str = ""
    sms_sign_name: str = ""
    sms_templates: dict[str, str] = Field(default_factory=dict)  # event kind -> TemplateCode
    sms_endpoint: str = ""  # default Alibaba Cloud's
    # Customer tracking (issue 17; docs/operations.md, "Tracking links"). The app's address as
    # customers reach it, put in front of /t/<token> in the links sent ("" = a relative path).
    public_url: str = ""
    tracking_hours_after_visit: int = Field(default=24, ge=1, le=24 * 30)
    tracking_max_days: int = Field(default=30, ge=1, le=365)
    tracking_show_engineer_full_name: bool = False
    tracking_show_engineer_phone: bool = False
    tracking_per_token_per_minute: int = Field(default=60, ge=1)
    tracking_per_address_per_minute: int = Field(default=120, ge=1)
    tracking_poll_seconds: float = Field(default=10.0, ge=0.2, le=600)  # the page's fallback
    # The graphql-transport-ws door the page subscribes through with {"trackingToken": ...}
    # ("" = it polls only).
    tracking_websocket_path: str = "/graphql"
    # Links expired or revoked longer ago than this are deleted by the worker's periodic
    # step (notify, issue 16; 0 keeps them).
    tracking_link_retention_days: int = Field(default=30, ge=0, le=3650)
    # The page's map: a tile URL template ({z}/{x}/{y}; "" = the built-in SVG map only), the
    # coordinate system its tiles are drawn in (Chinese basemaps: gcj02), their attribution.
    map_tiles: str = ""
    map_tiles_crs: Literal["wgs84", "gcj02"] = "wgs84"
    map_attribution: str = ""
    # Where `npm ci --prefix web` put Leaflet and axe-core (served under /static/vendor/).
    web_modules: str = "web/node_modules"

    @property
    def is_production(self) -> bool:
        return self.mode is Mode.PRODUCTION

    @property
    def graphiql_enabled(self) -> bool:
        return self.mode in (Mode.DEMO, Mode.DEVELOPMENT)

    @property
    def introspection_enabled(self) -> bool:
        return not self.is_production

    @property
    def json_logs(self) -> bool:
        return self.mode is not Mode.DEVELOPMENT if self.log_json is None else self.log_json

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.mode is Mode.PRODUCTION and (
            self.secret_key == DEV_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "WELLSPRING_SECRET_KEY must be a random value of 32+ characters in production"
            )
        if self.media_backend == "s3" and not self.media_bucket:
            raise ValueError("WELLSPRING_MEDIA_BUCKET is needed with WELLSPRING_MEDIA_BACKEND=s3")
        return self


def dispatch_config(settings: Settings) -> DispatchConfig:
    """The geo-dispatch configuration these settings describe (raises ValueError if invalid)."""
    geocoder = build_geocoder(
        GeocoderSettings(
            kind=settings.geocoder,
            user_agent=settings.geocoder_user_agent,
            api_key=settings.geocoder_api_key or None,
            domain=settings.geocoder_domain or None,
            scheme=settings.geocoder_scheme,
            timeout=settings.geocoder_timeout_seconds,
        )
    )
    travel = TravelModel.from_json(settings.travel_profile) if settings.travel_profile else None
    return DispatchConfig(
        travel=travel or TravelModel(),
        position_max_age=dt.timedelta(minutes=settings.position_max_age_minutes),
        geocoder=geocoder,
        exploration_level=settings.route_exploration_level,
        solver_threads=settings.route_solver_threads,
        solver_timeout_seconds=settings.route_timeout_seconds,
        route_time_budget_seconds=settings.route_time_budget_seconds,
    )


def domain_config(settings: Settings) -> DomainConfig:
    """The domain configuration these settings describe: phone-clock rules, SLA hours and
    dispatch (raises ValueError if invalid). Built once per app or command."""
    return DomainConfig(
        clock_rules=ClockRules(
            skew=dt.timedelta(minutes=settings.clock_skew_minutes),
            max_age=dt.timedelta(days=settings.recorded_time_max_age_days),
        ),
        sla_hours=settings.sla_hours,
        dispatch=dispatch_config(settings),
        tracking=TrackingConfig(
            public_url=settings.public_url,
            after_visit=dt.timedelta(hours=settings.tracking_hours_after_visit),
            max_lifetime=dt.timedelta(days=settings.tracking_max_days),
            show_engineer_full_name=settings.tracking_show_engineer_full_name,
            show_engineer_phone=settings.tracking_show_engineer_phone,
            per_token_per_minute=settings.tracking_per_token_per_minute,
            per_address_per_minute=settings.tracking_per_address_per_minute,
        ),
        hotline=HotlineConfig(
            callback_max_attempts=settings.callback_max_attempts,
            callback_sla_minutes=settings.callback_sla_minutes,
        ),
        idempotency_key_lifetime=dt.timedelta(days=settings.idempotency_key_days),
        maintenance=MaintenanceConfig(
            tds_drift_ratio=settings.tds_drift_ratio,
            tds_drift_min_mg_l=settings.tds_drift_min_mg_l,
            tds_lookback_days=settings.tds_lookback_days,
            buckets_low_at=settings.buckets_low_at,
            recharge_lapsed_days=settings.recharge_lapsed_days,
        ),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
