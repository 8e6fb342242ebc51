"""Property-based tests of the partner API from its own OpenAPI schema (Schemathesis), against a live server.

The world of tests/security/world.py and its planted records, with an API client of every agency of the cast: the
lead authority (sees it all), the police (a case, a place and a group shared to view), the school (asked to
contribute) and housing (shown nothing). For every operation in the schema, Schemathesis generates requests (at most
``EXAMPLES`` each); each is sent as one of the clients, with the id in its path generated, or one that client may see,
or one it may *not* see. Every answer must:

- not be a server error;
- conform to the schema: a documented status, content type, headers and body;
- never be a success about a record the calling client may not see (nor a write to one).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from safeguarding import access
from tests.security import world as world_module

from .conftest import register

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def _ids(world: dict, planted: dict, agencies: dict) -> dict:
    """For each client and each resource: the ids of the world's records it may see and may not."""
    from django.apps import apps

    models = {resource: type(world[key]) for resource, key in world_module.API_PK.items()}
    records = {resource: {row.pk for row in models[resource]._default_manager.all()} for resource in models}
    seen = {}
    for name, agency in agencies.items():
        reader = register(agency, name=f"{agency.name} reader").client.user
        seen[name] = {resource: set(access.visible(reader, model._default_manager.all()).values_list("pk", flat=True))
                      for resource, model in models.items()}
    assert apps.ready and planted
    return {name: {resource: (sorted(seen[name][resource]), sorted(records[resource] - seen[name][resource]))
                   for resource in models} for name in agencies}


def test_the_api_conforms_to_its_schema_and_reveals_nothing(live_server, shipped_frameworks, cast, agencies,
                                                            settings_override):
    world, _ = world_module.build(cast, agencies)
    planted, _ = world_module.plant(cast, agencies, world)
    ids = _ids(world, planted, agencies)
    callers = {name: register(agency) for name, agency in agencies.items()}
    assert ids["housing"]["cases"][0] == [] and ids["police"]["cases"][0]

    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 31
    failures, calls = [], {"n": 0}

    for operation in operations:
        _explore(operation, live_server.url, ids, callers, failures, calls)

    assert not failures, f"{len(failures)} of {calls['n']} calls failed:\n" + "\n".join(failures[:40])
    assert calls["n"] >= len(operations) * 5


def _explore(operation, base_url, ids, callers, failures, calls):
    """Up to ``EXAMPLES`` generated requests to one operation, each as one of the clients."""
    resource = operation.path.split("/")[3]
    has_id = "{id}" in operation.path

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(), who=st.sampled_from(sorted(callers)),
           pick=st.sampled_from(["generated", "visible", "invisible"]), index=st.integers(0, 50))
    def run(case, who, pick, index):
        visible, invisible = ids[who][resource]
        hidden_id = None
        if has_id and pick != "generated":
            chosen = visible if pick == "visible" else invisible
            if chosen:
                case.path_parameters["id"] = chosen[index % len(chosen)]
                hidden_id = case.path_parameters["id"] if pick == "invisible" else None
        elif has_id and case.path_parameters.get("id") in invisible:
            hidden_id = case.path_parameters["id"]
        headers = {"Authorization": f"Bearer {callers[who].credential}"}
        response = case.call(base_url=base_url, headers=headers)
        calls["n"] += 1
        where = f"{case.method} {case.formatted_path} as {who}"
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 (Schemathesis' failure group: collected, all reported at the end)
            failures.append(f"{where}: {str(exc)[:600]}")
        if hidden_id is not None and response.status_code < 300:
            failures.append(f"{where}: {response.status_code} about a record {who} may not see")

    run()


@pytest.fixture
def settings_override(settings):
    """No throttle in the way of a few hundred calls in a minute (tests/api/test_conventions.py proves it)."""
    settings.API_THROTTLE_RATE = "100000/min"
