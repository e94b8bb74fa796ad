"""The relay's hand-built HPUB frames: what nc.publish would queue, or None where it must decide."""

from messaging.outbox import hpub_frame

LIMIT = 1024 * 1024


def test_the_frame_is_the_one_nc_publish_queues() -> None:
    block = b"NATS/1.0\r\nce-id: 1\r\nNats-Msg-Id: 1\r\n\r\n"
    assert hpub_frame("s.a", "r.1", {"ce-id": "1", "Nats-Msg-Id": "1"}, b"{}", LIMIT) == (
        b"HPUB s.a r.1 %d %d\r\n" % (len(block), len(block) + 2) + block + b"{}\r\n"
    )


def test_what_nats_py_would_clean_or_refuse_is_left_to_it() -> None:
    assert hpub_frame("s", "r", {"ce-id": " padded "}, b"{}", LIMIT) is None
    assert hpub_frame("s", "r", {"ce-id": "a\r\nb"}, b"{}", LIMIT) is None
    assert hpub_frame("s", "r", {"bad name": "x"}, b"{}", LIMIT) is None
    assert hpub_frame("s", "r", {"": "x"}, b"{}", LIMIT) is None
    assert hpub_frame("s x", "r", {}, b"{}", LIMIT) is None
    assert hpub_frame("s", "r\r\nPUB x 1", {}, b"{}", LIMIT) is None
    assert hpub_frame("s", "r", {"a": "b"}, b"x" * 100, max_payload=100) is None
