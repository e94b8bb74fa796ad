"""Python code for the protos in `contracts/proto`, generated at start-up (built, never hand-written).

`load_grpc_modules("retail_sync/inventory/v1/inventory.proto")` runs grpc_tools.protoc into a cache folder
when the generated files are missing or older than the proto, then imports `<name>_pb2` and
`<name>_pb2_grpc`. Files are written to a temporary folder and moved into place, so services starting
at the same time never import a half-written module.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType

PROTO_ROOT = Path(
    os.environ.get("RETAIL_SYNC_PROTO_ROOT", Path(__file__).resolve().parents[4] / "contracts/proto")
)
GENERATED_ROOT = Path(
    os.environ.get("RETAIL_SYNC_GENERATED_DIR", PROTO_ROOT.parent.parent / ".retail-sync/generated")
)


def _stale(proto: Path, outputs: list[Path]) -> bool:
    return any(not out.exists() or out.stat().st_mtime < proto.stat().st_mtime for out in outputs)


def generate(relative_proto: str, proto_root: Path = PROTO_ROOT, out_root: Path = GENERATED_ROOT) -> Path:
    from grpc_tools import protoc  # imported here: only needed when generating

    proto = proto_root / relative_proto
    if not proto.exists():
        raise FileNotFoundError(f"proto not found: {proto}")
    stem = relative_proto.removesuffix(".proto")
    outputs = [out_root / f"{stem}_pb2.py", out_root / f"{stem}_pb2_grpc.py", out_root / f"{stem}_pb2.pyi"]
    if not _stale(proto, outputs):
        return out_root
    out_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_root) as scratch:
        grpc_include = Path(protoc.__file__).parent / "_proto"
        code = protoc.main(
            [
                "grpc_tools.protoc",
                f"-I{proto_root}",
                f"-I{grpc_include}",
                f"--python_out={scratch}",
                f"--grpc_python_out={scratch}",
                f"--pyi_out={scratch}",
                str(proto),
            ]
        )
        if code != 0:
            raise RuntimeError(f"protoc failed ({code}) for {proto}")
        for generated in Path(scratch).rglob("*.py*"):
            target = out_root / generated.relative_to(scratch)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(generated), target)
    return out_root


def load_grpc_modules(relative_proto: str) -> tuple[ModuleType, ModuleType]:
    """The (messages, services) modules of one proto, generating them first when needed."""
    out_root = generate(relative_proto)
    if str(out_root) not in sys.path:
        sys.path.insert(0, str(out_root))
    module = relative_proto.removesuffix(".proto").replace("/", ".")
    return importlib.import_module(f"{module}_pb2"), importlib.import_module(f"{module}_pb2_grpc")
