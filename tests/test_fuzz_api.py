"""Schemathesis against the app's own OpenAPI schema, over a real index of the seed and the real model.

For every documented operation Schemathesis generates valid and invalid requests (bounded, seeded
runs) and checks that the answer is never a 5xx, that its status code is documented, that its
content type and body match the schema, and that invalid requests are refused with a 4xx. Write
routes run twice: with the API key (they change the index) and without it (each must be a 401).
The rebuild route runs only without the key: a rebuild per example would take minutes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from conftest import SEEDS, settings_for
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from chatbot.server import create_app

KEY = "fuzz-key-31c4"
EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]
WRITES = {("POST", "/api/documents"), ("DELETE", "/api/documents/{doc_id}"), ("POST", "/api/index/rebuild")}
SENT: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory, embedder):
    """The whole API (no chat page) with an API key, over its own index holding the seed article."""
    from chatbot.service.chat import ChatService

    service = ChatService(settings_for(tmp_path_factory.mktemp("fuzz") / "index", api_key=KEY, max_upload_mb=1),
                          embedder=embedder)
    assert service.add_paths([SEEDS]).counts()["added"] == 1
    app = create_app(service, ui=False)
    yield app
    app.state.jobs.join(120)
    print(f"\nschemathesis requests by status: {dict(sorted(SENT.items()))}, total {sum(SENT.values())}")


def schema_app():
    """The same routes, not connected to any index: building the schema needs neither model nor store."""
    from chatbot.service.chat import ChatService

    return create_app(ChatService(settings_for(Path("unused"), api_key=KEY)), ui=False)


# the schema the app serves at /openapi.json, read when the module is collected; requests go to ``fuzzed_app``
schema = schemathesis.openapi.from_asgi("/openapi.json", schema_app())


def send(case, app, headers: dict[str, str] | None = None):
    response = case.call(headers=headers, app=app)
    SENT[str(response.status_code)] += 1
    case.validate_response(response, checks=CHECKS, headers=headers, transport_kwargs={"app": app})
    return response


@schema.exclude(path="/api/index/rebuild").parametrize()
@EXAMPLES
def test_every_operation_with_the_key_answers_as_documented(case, fuzzed_app):
    response = send(case, fuzzed_app, {"Authorization": f"Bearer {KEY}"})
    assert response.status_code != 401
    assert fuzzed_app.state.service.status.get("state", "ready") == "ready"


@schema.parametrize()
@EXAMPLES
def test_every_operation_without_the_key_answers_as_documented(case, fuzzed_app):
    response = send(case, fuzzed_app)
    if (case.method.upper(), case.path) in WRITES:
        assert response.status_code in (401, 422), response.text[:300]
        if response.status_code == 401:
            assert response.json()["error"]["code"] == "unauthorized"
    assert response.status_code < 500


def test_the_schema_documents_every_route_and_its_errors(fuzzed_app):
    raw = fuzzed_app.openapi()
    operations = {(method.upper(), path) for path, item in raw["paths"].items() for method in item}
    assert {("POST", "/api/ask"), ("POST", "/api/search"), ("GET", "/api/documents"), ("POST", "/api/documents"),
            ("DELETE", "/api/documents/{doc_id}"), ("POST", "/api/index/rebuild"), ("GET", "/api/health"),
            ("POST", "/v1/chat/completions"), ("GET", "/v1/models")} <= operations
    for path, item in raw["paths"].items():
        for method, operation in item.items():
            if method.upper() == "POST":
                assert {"413", "415", "422"} <= set(operation["responses"]), (method, path)
