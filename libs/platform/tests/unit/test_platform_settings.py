import pytest
from retail_platform.settings import SettingsError, load_settings


def test_defaults_derive_the_service_database_on_the_server():
    settings = load_settings(
        "master_data",
        default_http_port=8101,
        environ={"RETAIL_SYNC_DATABASE_URL": "postgresql://postgres:pw@db.local:5433/postgres"},
    )
    assert settings.http_port == 8101
    assert settings.grpc_port is None
    assert settings.nats_url == "nats://127.0.0.1:4222"
    assert settings.nats_namespace == ""
    assert settings.http_host == "127.0.0.1"
    assert settings.log_level == "INFO"
    assert settings.log_json is True
    assert settings.api_keys_required is True
    assert (
        settings.service_database_url == "postgresql+asyncpg://postgres:pw@db.local:5433/retail_master_data"
    )
    assert settings.database_server_url == "postgresql+asyncpg://postgres:pw@db.local:5433/postgres"


def test_per_service_variables_win_over_global_ones():
    settings = load_settings(
        "master_data",
        default_http_port=8101,
        default_grpc_port=9101,
        environ={
            "RETAIL_SYNC_MASTER_DATA_DATABASE_URL": "postgresql://u@h/own_db",
            "RETAIL_SYNC_MASTER_DATA_HTTP_PORT": "18101",
            "RETAIL_SYNC_MASTER_DATA_LOG_LEVEL": "debug",
            "RETAIL_SYNC_LOG_LEVEL": "ERROR",
            "RETAIL_SYNC_NATS_URL": "nats://n:4333",
            "RETAIL_SYNC_NATS_NAMESPACE": "t1",
            "RETAIL_SYNC_LOG_JSON": "false",
            "RETAIL_SYNC_API_KEYS_REQUIRED": "0",
            "RETAIL_SYNC_MASTER_DATA_INBOX_DIR": "/var/inbox",
        },
    )
    assert settings.service_database_url == "postgresql+asyncpg://u@h/own_db"
    assert settings.http_port == 18101
    assert settings.grpc_port == 9101
    assert settings.log_level == "DEBUG"
    assert settings.nats_url == "nats://n:4333"
    assert settings.nats_namespace == "t1"
    assert settings.log_json is False
    assert settings.api_keys_required is False
    assert settings.inbox_dir == "/var/inbox"


def test_a_port_is_read_only_from_the_service_variable():
    settings = load_settings("promotion", default_http_port=8102, environ={"RETAIL_SYNC_HTTP_PORT": "1"})
    assert settings.http_port == 8102


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RETAIL_SYNC_MASTER_DATA_HTTP_PORT", "eighty"),
        ("RETAIL_SYNC_MASTER_DATA_HTTP_PORT", "70000"),
        ("RETAIL_SYNC_MASTER_DATA_GRPC_PORT", "0"),
        ("RETAIL_SYNC_LOG_JSON", "maybe"),
        ("RETAIL_SYNC_LOG_LEVEL", "LOUD"),
    ],
)
def test_a_bad_value_names_the_variable(variable, value):
    with pytest.raises(SettingsError) as raised:
        load_settings("master_data", default_http_port=8101, environ={variable: value})
    assert raised.value.variable == variable
    assert str(raised.value).startswith(f"{variable}: ")


def test_the_bootstrap_key_stays_out_of_errors_and_repr():
    secret = "rs_0123456789abcdef_" + "s" * 43
    settings = load_settings(
        "master_data", default_http_port=8101, environ={"RETAIL_SYNC_BOOTSTRAP_API_KEY": secret}
    )
    assert settings.bootstrap_api_key == secret
    assert secret not in repr(settings)
