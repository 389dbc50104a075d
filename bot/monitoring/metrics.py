"""GET /metrics: Prometheus text format, for a scraper on this machine or one with the integrator token."""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from bot.api.deps import SettingsDep, bearer_matches
from bot.infra.metrics import REGISTRY
from bot.monitoring.gauges import StoreCollector

router = APIRouter(tags=["operations"])
REGISTRY.register(StoreCollector())


def _from_loopback(request: Request) -> bool:
    """A caller on this machine: the connection and every proxy hop it passed (X-Forwarded-For)."""
    hops = [request.client.host if request.client else ""]
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        hops += [hop.strip() for hop in forwarded.split(",")]
    try:
        return all(ipaddress.ip_address(hop).is_loopback for hop in hops)
    except ValueError:  # "testclient", "unknown", a name
        return False


@router.get(
    "/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 403: {}}
)
async def metrics(request: Request, settings: SettingsDep) -> Response:
    """Prometheus text format, for a scraper on this machine or one that sends the integrator token."""
    if not (_from_loopback(request) or bearer_matches(settings, request.headers.get("authorization"))):
        raise HTTPException(403, "metrics are served to this machine or with the integrator token")
    body = await run_in_threadpool(generate_latest, REGISTRY)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
