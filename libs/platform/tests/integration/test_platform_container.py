import pytest
from dependency_injector import providers
from retail_platform.container import ServiceContainer
from retail_platform.settings import load_settings
from sqlalchemy import text

pytestmark = pytest.mark.integration


class ThingsContainer(ServiceContainer):
    greeting = providers.Object("hello")


async def test_resources_start_answer_and_shut_down(database_url, nats_url):
    settings = load_settings(
        "things",
        default_http_port=8999,
        environ={"RETAIL_SYNC_THINGS_DATABASE_URL": database_url, "RETAIL_SYNC_NATS_URL": nats_url},
    )
    container = ThingsContainer(settings=settings)
    await container.init_resources()
    engine = await container.engine()
    sessions = await container.session_factory()
    nc = await container.nats()
    js = await container.jetstream()
    async with sessions() as session:
        assert (await session.execute(text("SELECT current_database()"))).scalar_one() == database_url.rsplit(
            "/", 1
        )[1]
    assert nc.is_connected
    assert (await js.account_info()) is not None
    assert container.greeting() == "hello"
    await container.shutdown_resources()
    assert nc.is_closed
    assert engine.pool.checkedout() == 0
