from pathlib import Path

from retail_platform.grpc_codegen import generate

PROTO = """syntax = "proto3";
package retail_sync.probe.v1;
message Ping { string text = 1; }
service Probe { rpc Echo(Ping) returns (Ping); }
"""


def test_generates_messages_and_stubs_and_regenerates_only_when_stale(tmp_path: Path) -> None:
    proto_root = tmp_path / "proto"
    (proto_root / "retail_sync/probe/v1").mkdir(parents=True)
    (proto_root / "retail_sync/probe/v1/probe.proto").write_text(PROTO)
    out = generate("retail_sync/probe/v1/probe.proto", proto_root, tmp_path / "gen")
    messages = out / "retail_sync/probe/v1/probe_pb2.py"
    stubs = out / "retail_sync/probe/v1/probe_pb2_grpc.py"
    assert "Ping" in messages.read_text()
    assert "ProbeStub" in stubs.read_text()
    first_mtime = messages.stat().st_mtime_ns
    generate("retail_sync/probe/v1/probe.proto", proto_root, tmp_path / "gen")
    assert messages.stat().st_mtime_ns == first_mtime
