"""Senders and worker settings from the environment (``WELLSPRING_PUSH_SENDERS`` and the
credentials of each channel)."""

from __future__ import annotations

import datetime as dt

from wellspring.settings import Settings

from .senders.base import Sender
from .senders.log import LogSender
from .worker import WorkerConfig

CHANNELS = ("log", "fcm", "huawei", "sms")


def enabled(settings: Settings) -> list[str]:
    names = [n.strip().lower() for n in settings.push_senders.split(",") if n.strip()]
    unknown = [n for n in names if n not in CHANNELS]
    if unknown:
        raise ValueError(f"WELLSPRING_PUSH_SENDERS: unknown channel {unknown[0]!r}")
    return names


def build_senders(settings: Settings) -> dict[str, Sender]:
    """The configured senders by outbox channel; a channel not configured falls to the log."""
    senders: dict[str, Sender] = {"LOG": LogSender()}
    names = enabled(settings)
    if "fcm" in names:
        from .senders.fcm import FcmSender  # firebase-admin only when FCM is on

        senders["FCM"] = FcmSender(
            project_id=settings.fcm_project_id,
            credentials_file=settings.fcm_credentials,
            endpoint=settings.fcm_endpoint,
        )
    if "huawei" in names:
        from .senders.huawei import HuaweiSender

        senders["HUAWEI"] = HuaweiSender(
            app_id=settings.huawei_app_id,
            client_id=settings.huawei_client_id,
            client_secret=settings.huawei_client_secret,
            endpoint=settings.huawei_push_endpoint,
            token_endpoint=settings.huawei_token_endpoint,
        )
    if "sms" in names:
        from .senders.sms import AliyunSmsSender

        senders["SMS"] = AliyunSmsSender(
            access_key_id=settings.sms_access_key_id,
            access_key_secret=settings.sms_access_key_secret,
            sign_name=settings.sms_sign_name,
            templates=settings.sms_templates,
            endpoint=settings.sms_endpoint,
        )
    return senders


def worker_config(settings: Settings) -> WorkerConfig:
    minutes = settings.notify_scan_minutes
    return WorkerConfig(
        batch=settings.notify_batch,
        lease=dt.timedelta(seconds=settings.notify_lease_seconds),
        max_attempts=settings.notify_max_attempts,
        poll_seconds=settings.notify_poll_seconds,
        scan_every=dt.timedelta(minutes=minutes) if minutes else None,
        retention=dt.timedelta(days=days) if (days := settings.notify_retention_days) else None,
    )
