import pytest
from messaging.consumer import SERVER_DELIVERY_MARGIN, ConsumerRunner, ConsumerSpec
from messaging.dlq import DeadLetter, _header_safe
from messaging.topology import Topology
from nats.js.api import AckPolicy


def runner_for(spec: ConsumerSpec, namespace: str = "t1") -> ConsumerRunner:
    return ConsumerRunner(None, None, Topology(namespace), spec, None, None)  # type: ignore[arg-type]


def test_nak_delay_follows_the_backoff_and_stays_at_its_last_step() -> None:
    spec = ConsumerSpec(durable="c", stream="SALES", backoff_s=(0.5, 2.0, 10.0))
    assert [spec.nak_delay(n) for n in (1, 2, 3, 4, 9)] == [0.5, 2.0, 10.0, 10.0, 10.0]


def test_consumer_config_is_explicit_ack_with_a_delivery_margin_and_no_server_backoff() -> None:
    spec = ConsumerSpec(
        durable="ledger",
        stream="SALES",
        max_deliver=4,
        ack_wait_s=7.0,
        filter_subjects=("retail.sales.transaction_recorded.v1",),
    )
    config = runner_for(spec).consumer_config()
    assert config.durable_name == "ledger"
    assert config.ack_policy == AckPolicy.EXPLICIT
    assert config.ack_wait == 7.0
    assert config.max_deliver == 4 + SERVER_DELIVERY_MARGIN
    assert config.backoff is None
    assert config.filter_subject == "t1.retail.sales.transaction_recorded.v1"
    assert config.filter_subjects is None


def test_several_filters_use_filter_subjects() -> None:
    subjects = ("retail.sales.a.v1", "retail.sales.b.v1")
    config = runner_for(
        ConsumerSpec(durable="c", stream="SALES", filter_subjects=subjects), ""
    ).consumer_config()
    assert (config.filter_subject, config.filter_subjects) == (None, list(subjects))


@pytest.mark.parametrize(
    "changes",
    [{"durable": "a.b"}, {"max_deliver": 0}, {"batch_size": 0}, {"ack_wait_s": 0}, {"backoff_s": ()}],
)
def test_invalid_specs_are_refused(changes: dict) -> None:
    with pytest.raises(ValueError, match=r"durable|positive"):
        ConsumerSpec(**{"durable": "c", "stream": "SALES", **changes})


def test_an_unknown_stream_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stream"):
        runner_for(ConsumerSpec(durable="c", stream="ORDERS"))


def test_a_dead_letter_gives_back_the_original_headers() -> None:
    letter = DeadLetter(
        seq=1,
        consumer="c",
        reason="r",
        original_subject="retail.sales.x.v1",
        event_id="e1",
        deliveries=1,
        failed_at="2026-01-01T00:00:00Z",
        data=b"",
        headers={
            "ce-id": "e1",
            "ce-type": "retail.sales.x.v1",
            "Nats-Msg-Id": "dlq:c:S:1",
            "dlq-reason": "r",
            "dlq-consumer": "c",
            "dlq-original-subject": "retail.sales.x.v1",
            "dlq-deliveries": "1",
            "dlq-failed-at": "2026-01-01T00:00:00Z",
        },
    )
    assert letter.original_headers() == {"ce-id": "e1", "ce-type": "retail.sales.x.v1"}


def test_a_reason_becomes_one_bounded_header_line() -> None:
    assert _header_safe("Traceback:\r\n  line 1\n  boom") == "Traceback: line 1 boom"
    assert len(_header_safe("x" * 5000)) == 2000
    assert _header_safe("  ") == "(no reason given)"
