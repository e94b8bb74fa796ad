import json
from pathlib import Path

import pytest
from messaging.topology import Topology, render_stream_config, write_stream_config

COMMITTED_STREAMS = Path(__file__).resolve().parents[4] / "infra" / "nats" / "streams.json"


def test_the_committed_stream_config_is_the_exported_topology() -> None:
    assert json.loads(COMMITTED_STREAMS.read_text(encoding="utf-8")) == Topology().export()
    assert COMMITTED_STREAMS.read_text(encoding="utf-8") == render_stream_config()


def test_write_stream_config_writes_the_export(tmp_path: Path) -> None:
    write_stream_config(tmp_path / "streams.json", Topology(replicas=3))
    exported = json.loads((tmp_path / "streams.json").read_text(encoding="utf-8"))
    assert {stream["config"]["num_replicas"] for stream in exported["streams"]} == {3}


def test_one_stream_per_context_plus_the_dlq() -> None:
    topology = Topology()
    assert [(spec.name, spec.subjects) for spec in topology.streams] == [
        ("MASTER", ("retail.master.>",)),
        ("PROMOTION", ("retail.promotion.>",)),
        ("INVENTORY", ("retail.inventory.>",)),
        ("SALES", ("retail.sales.>",)),
        ("LEDGER", ("retail.ledger.>",)),
        ("RECON", ("retail.recon.>",)),
        ("DLQ", ("retail.dlq.>",)),
    ]
    assert {spec.name for spec in topology.streams if spec.money_bearing} == {"SALES", "LEDGER", "RECON"}
    assert {(spec.storage, spec.duplicate_window_s, spec.replicas) for spec in topology.streams} == {
        ("file", 120, 1)
    }


def test_a_namespace_prefixes_stream_names_and_subjects() -> None:
    topology = Topology("t1")
    sales = topology.stream_for("retail.sales.transaction_recorded.v1")
    assert (sales.name, sales.subjects) == ("T1_SALES", ("t1.retail.sales.>",))
    assert topology.subject("retail.sales.x.v1") == "t1.retail.sales.x.v1"
    assert topology.strip("t1.retail.sales.x.v1") == "retail.sales.x.v1"  # noqa: B005
    assert topology.dlq_subject("ledger-poster") == "t1.retail.dlq.ledger-poster"
    assert topology.stream_name("DLQ") == "T1_DLQ"


def test_without_a_namespace_subjects_are_canonical() -> None:
    topology = Topology()
    assert topology.subject("retail.ledger.entry_posted.v1") == "retail.ledger.entry_posted.v1"
    assert topology.strip("retail.ledger.entry_posted.v1") == "retail.ledger.entry_posted.v1"  # noqa: B005
    assert topology.stream_for("retail.ledger.entry_posted.v1.LE1").name == "LEDGER"


@pytest.mark.parametrize("subject", ["retail.unknown.x.v1", "other.sales.x.v1", "retail.sales"])
def test_a_subject_outside_every_stream_is_refused(subject: str) -> None:
    with pytest.raises(ValueError, match="no stream captures"):
        Topology().stream_for(subject)


def test_strip_refuses_a_subject_of_another_namespace() -> None:
    with pytest.raises(ValueError, match="not in namespace"):
        Topology("t1").strip("t2.retail.sales.x.v1")  # noqa: B005


@pytest.mark.parametrize("consumer", ["a.b", "a*", ">", "", "a b"])
def test_a_dlq_subject_needs_a_single_token_consumer_name(consumer: str) -> None:
    with pytest.raises(ValueError, match="one subject token"):
        Topology().dlq_subject(consumer)


@pytest.mark.parametrize(
    ("namespace", "replicas", "message"),
    [("T1", 1, "namespace"), ("t.1", 1, "namespace"), ("t1", 2, "replicas")],
)
def test_invalid_namespace_or_replicas(namespace: str, replicas: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Topology(namespace, replicas)
