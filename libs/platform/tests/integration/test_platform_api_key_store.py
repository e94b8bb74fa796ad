import pytest
from retail_platform.api_keys import ApiKeyStore, parse_api_key
from retail_platform.database import create_engine, session_factory
from retail_platform.principal import ApiKeyBindings, Principal
from retail_platform.tables import api_keys, create_platform_schema
from sqlalchemy import select, text

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(database_url):
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(create_platform_schema)
    yield engine
    await engine.dispose()


async def test_created_key_authenticates_with_its_scopes_and_bindings(engine):
    store = ApiKeyStore(session_factory(engine))
    key_id, plaintext = await store.create(
        "user-7", ["sales:write", "master:read"], ApiKeyBindings(channels=("web",), legal_entities=("LE-FR",))
    )
    assert await store.authenticate(plaintext) == Principal(
        key_id=key_id,
        owner="user-7",
        scopes=("master:read", "sales:write"),
        channels=("web",),
        legal_entities=("LE-FR",),
        store_clusters=(),
    )


async def test_the_plaintext_is_never_stored(engine):
    store = ApiKeyStore(session_factory(engine))
    key_id, plaintext = await store.create("user-7", ["*"])
    _, secret = parse_api_key(plaintext)
    async with engine.connect() as connection:
        row = (await connection.execute(select(api_keys))).one()
        dumped = (await connection.execute(text("SELECT api_keys::text FROM api_keys"))).scalar_one()
    assert row.key_id == key_id
    assert len(row.secret_sha256) == 32
    assert secret not in dumped
    assert plaintext not in dumped
    assert secret.encode() not in bytes(row.secret_sha256)


async def test_wrong_secret_unknown_id_and_garbage_are_refused(engine):
    store = ApiKeyStore(session_factory(engine))
    key_id, plaintext = await store.create("user-7", ["*"])
    wrong_secret = f"rs_{key_id}_" + "A" * 43
    assert await store.authenticate(wrong_secret) is None
    assert await store.authenticate("rs_ffffffffffffffff_" + "A" * 43) is None
    assert await store.authenticate("not a key") is None
    assert await store.authenticate(plaintext) is not None


async def test_revoked_key_stops_working_at_once_in_this_process(engine):
    store = ApiKeyStore(session_factory(engine))
    key_id, plaintext = await store.create("user-7", ["*"])
    assert await store.authenticate(plaintext) is not None  # now cached
    assert await store.revoke(key_id) is True
    assert await store.authenticate(plaintext) is None
    assert await store.revoke(key_id) is False


async def test_cached_principal_is_served_without_the_database(engine):
    store = ApiKeyStore(session_factory(engine), cache_ttl_s=30)
    _, plaintext = await store.create("user-7", ["master:read"])
    first = await store.authenticate(plaintext)
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM api_keys"))
    assert await store.authenticate(plaintext) == first
    uncached = ApiKeyStore(session_factory(engine), cache_ttl_s=0)
    assert await uncached.authenticate(plaintext) is None


async def test_install_stores_a_chosen_key_and_reinstalling_updates_it(engine):
    store = ApiKeyStore(session_factory(engine), cache_ttl_s=0)
    plaintext = "rs_00112233445566aa_" + "b" * 43
    assert await store.install(plaintext, owner="bootstrap", scopes=["*"]) == "00112233445566aa"
    await store.install(plaintext, owner="bootstrap", scopes=["master:read"])
    principal = await store.authenticate(plaintext)
    assert principal is not None
    assert principal.scopes == ("master:read",)
