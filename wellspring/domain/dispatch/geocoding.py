"""GeocodeAddress: refine an address's coordinates with the configured geocoder.

Answers are cached in the database per provider and address text, so an address is asked
for once. The geocoder runs in a worker thread (geopy is synchronous). When it is down or
slow the address stays exactly as it was and the caller gets ``GEOCODER_UNAVAILABLE``.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ...geo.geocoding import GeocodingUnavailable
from .. import audit, permissions, policy
from ..actor import Actor
from ..config import config_of
from ..errors import DomainError
from ..models import Address, GeocodeCacheEntry


async def geocode_address(session: AsyncSession, actor: Actor, *, address_id: str) -> Address:
    permissions.check(actor, "address.geocode")
    address = (
        await session.execute(
            select(Address).where(Address.id == address_id, policy.scope(Address, actor))
        )
    ).scalar_one_or_none()
    if address is None or address.deleted_at is not None:
        raise DomainError("NOT_FOUND", field="address_id")
    geocoder = config_of(session).dispatch.geocoder
    if geocoder is None:
        raise DomainError("GEOCODER_NOT_CONFIGURED", field="address_id")
    query = address.full_text[:300]
    cached = await session.scalar(
        select(GeocodeCacheEntry).where(
            GeocodeCacheEntry.provider == geocoder.provider, GeocodeCacheEntry.query == query
        )
    )
    if cached is None:
        try:
            found = await asyncio.to_thread(geocoder.geocode, query)
        except GeocodingUnavailable:
            raise DomainError("GEOCODER_UNAVAILABLE", field="address_id") from None
        cached = GeocodeCacheEntry(
            provider=geocoder.provider,
            query=query,
            latitude=found.latitude if found else None,
            longitude=found.longitude if found else None,
            display=(found.display if found else "")[:300],
        )
        try:
            async with session.begin_nested():
                session.add(cached)
        except IntegrityError:
            pass  # another request cached the same text meanwhile: same answer
    if cached.latitude is None or cached.longitude is None:
        raise DomainError("ADDRESS_NOT_FOUND", field="address_id")
    address.latitude, address.longitude = cached.latitude, cached.longitude
    address.is_approximate = False
    address.coordinate_source = geocoder.provider
    await session.flush()
    audit.record(
        session,
        actor,
        "address.geocoded",
        entity_type="Address",
        entity_id=address.id,
        provider=geocoder.provider,
    )
    return address
