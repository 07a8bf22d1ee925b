"""Schemathesis against the OpenAPI schema: generated requests to every operation never get a 5xx."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import Api

pytestmark = pytest.mark.slow
EXAMPLES = 20


def test_no_request_makes_a_server_error(api: Api) -> None:
    app = api.client.app
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def call(case: Any) -> None:
            for role in ("district", "village"):
                response = case.call(headers=api.headers(role))
                statuses[response.status_code] += 1
                where = f"{case.method} {case.formatted_path} ({role})"
                if response.status_code >= 500:
                    failures.append(f"{where}: {response.status_code} {response.text[:300]}")
                elif response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
                    body = response.json()
                    if not {"code", "message"} <= set(body):
                        failures.append(f"{where}: error without code and message: {body}")

        call()
    app.state.runner.shutdown()  # type: ignore[attr-defined]
    assert not failures, "\n".join(failures[:20])
    assert statuses[200] + statuses[202] > len(operations) and sum(statuses.values()) > 10 * len(
        operations
    ), statuses
