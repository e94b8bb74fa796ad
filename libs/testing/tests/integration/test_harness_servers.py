import asyncpg
from nats.aio.client import Client as NatsClient
from retail_platform.dburl import libpq_url


async def test_each_test_gets_a_fresh_empty_database(database_url: str) -> None:
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        tables = await connection.fetchval(
            "select count(*) from information_schema.tables where table_schema = 'public'"
        )
        await connection.execute("create table probe (id int primary key)")
        await connection.execute("insert into probe values (1)")
        assert await connection.fetchval("select count(*) from probe") == 1
    finally:
        await connection.close()
    assert tables == 0


async def test_nats_has_jetstream(nats_client: NatsClient, nats_namespace: str) -> None:
    js = nats_client.jetstream()
    stream = f"{nats_namespace.upper()}_PROBE"
    await js.add_stream(name=stream, subjects=[f"{nats_namespace}.probe"])
    ack = await js.publish(f"{nats_namespace}.probe", b"x")
    assert ack.stream == stream
    assert ack.seq == 1
