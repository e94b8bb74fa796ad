import json

from retail_platform.logging import bind_correlation_id, configure_logging, get_logger, mask_secrets

KEY = "rs_0123456789abcdef_" + "S3cr3t" * 8


def test_mask_secrets_masks_named_entries_and_keys_in_text():
    masked = mask_secrets(
        {
            "api_key": KEY,
            "headers": {"Authorization": f"Bearer {KEY}", "X-API-Key": KEY, "accept": "json"},
            "event": f"bad key {KEY}",
            "items": [KEY],
        }
    )
    assert masked == {
        "api_key": "***",
        "headers": {"Authorization": "***", "X-API-Key": "***", "accept": "json"},
        "event": "bad key rs_0123456789abcdef_***",
        "items": ["rs_0123456789abcdef_***"],
    }


def test_log_lines_are_json_with_service_level_and_correlation_id(capsys):
    configure_logging("master_data", "INFO", json=True)
    bind_correlation_id("corr-1")
    get_logger("t").info("key_used", x_api_key=KEY, note=f"sent {KEY}")
    get_logger("t").debug("not_shown")
    bind_correlation_id(None)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "key_used"
    assert line["level"] == "info"
    assert line["service"] == "master_data"
    assert line["correlation_id"] == "corr-1"
    assert line["x_api_key"] == "***"
    assert line["note"] == "sent rs_0123456789abcdef_***"
    assert line["timestamp"].endswith("Z")
    assert "S3cr3t" not in json.dumps(line)


def test_standard_library_loggers_are_rendered_as_json(capsys):
    import logging

    configure_logging("inventory", "INFO", json=True)
    logging.getLogger("uvicorn.error").warning("port %s busy", 8080)
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert line["event"] == "port 8080 busy"
    assert line["service"] == "inventory"
    assert line["level"] == "warning"
