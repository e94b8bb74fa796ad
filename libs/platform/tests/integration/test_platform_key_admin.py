"""PUT /v1/admin/api-keys on an app built with create_app, against the real PostgreSQL."""

import pytest
from retail_platform.api_keys import ApiKeyStore
from retail_platform.app import create_app
from retail_platform.database import create_engine, session_factory
from retail_platform.settings import load_settings
from retail_platform.tables import create_platform_schema
from retail_platform.testing import app_client

pytestmark = pytest.mark.integration

BOOTSTRAP_KEY = "rs_b00b00b00b00b00b_" + "k" * 43
CHOSEN_KEY = "rs_0123456789abcdef_" + "q" * 43


@pytest.fixture
async def client(database_url):
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(create_platform_schema)
    settings = load_settings(
        "keys",
        default_http_port=8998,
        environ={
            "RETAIL_SYNC_KEYS_DATABASE_URL": database_url,
            "RETAIL_SYNC_BOOTSTRAP_API_KEY": BOOTSTRAP_KEY,
        },
    )
    app = create_app(
        settings=settings,
        route_handlers=[],
        readiness_checks={},
        api_key_store=ApiKeyStore(session_factory(engine), cache_ttl_s=0),
        title="Keys",
        version="1.0.0",
    )
    async with app_client(app) as test_client:
        yield test_client
    await engine.dispose()


async def test_admin_installs_a_chosen_key_that_then_authenticates_as_its_owner(client):
    body = {"owner": "quinn", "scopes": ["promotion:read"], "api_key": CHOSEN_KEY}
    issued = await client.put("/v1/admin/api-keys", json=body, headers={"X-API-Key": BOOTSTRAP_KEY})
    assert issued.status_code == 200
    assert issued.json() == {
        "key_id": "0123456789abcdef",
        "owner": "quinn",
        "scopes": ["promotion:read"],
        "api_key": None,
    }
    again = await client.put("/v1/admin/api-keys", json=body, headers={"X-API-Key": BOOTSTRAP_KEY})
    assert again.status_code == 200
    me = await client.get("/v1/whoami", headers={"X-API-Key": CHOSEN_KEY})
    assert me.json() == {
        "key_id": "0123456789abcdef",
        "owner": "quinn",
        "scopes": ["promotion:read"],
        "bindings": {"channels": [], "legal_entities": [], "store_clusters": []},
    }


async def test_a_generated_key_is_shown_once_and_carries_its_bindings(client):
    body = {"owner": "webshop", "scopes": ["promotion:read"], "bindings": {"channels": ["ECOM"]}}
    issued = await client.put("/v1/admin/api-keys", json=body, headers={"X-API-Key": BOOTSTRAP_KEY})
    assert issued.status_code == 200
    plaintext = issued.json()["api_key"]
    assert plaintext.startswith(f"rs_{issued.json()['key_id']}_")
    me = await client.get("/v1/whoami", headers={"X-API-Key": plaintext})
    assert (me.json()["owner"], me.json()["bindings"]["channels"]) == ("webshop", ["ECOM"])
    assert "api_key" not in me.json()


async def test_only_a_key_admin_may_issue_keys(client):
    body = {"owner": "quinn", "scopes": ["*"], "api_key": CHOSEN_KEY}
    await client.put(
        "/v1/admin/api-keys",
        json={"owner": "vic", "scopes": ["promotion:read"], "api_key": CHOSEN_KEY},
        headers={"X-API-Key": BOOTSTRAP_KEY},
    )
    refused = await client.put("/v1/admin/api-keys", json=body, headers={"X-API-Key": CHOSEN_KEY})
    assert refused.status_code == 403
    assert "keys:admin" in refused.json()["detail"]
    anonymous = await client.put("/v1/admin/api-keys", json=body)
    assert anonymous.status_code == 401


async def test_a_malformed_key_or_empty_owner_is_422_naming_the_field(client):
    headers = {"X-API-Key": BOOTSTRAP_KEY}
    bad_key = await client.put(
        "/v1/admin/api-keys", json={"owner": "q", "scopes": ["x:y"], "api_key": "nope"}, headers=headers
    )
    assert bad_key.status_code == 422
    assert bad_key.json()["errors"] == [{"field": "api_key", "reason": "not an rs_<key_id>_<secret> API key"}]
    no_owner = await client.put("/v1/admin/api-keys", json={"owner": " ", "scopes": ["x:y"]}, headers=headers)
    assert no_owner.status_code == 422
    assert no_owner.json()["errors"][0]["field"] == "owner"
