"""File-drop transport: write the payload into the channel's folder (an SFTP/NFS drop the channel
polls). Written to a temporary name and renamed, so the channel never reads half a file.

File name: ``<promotion_id>_v<version>_<action>_<target>_<deployment_id>.<ext>``.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

from promotion.application.ports import ChannelDelivery, DeliveryFailed

_EXTENSIONS = {"application/json": "json", "text/tab-separated-values": "tsv"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def file_name(delivery: ChannelDelivery) -> str:
    d = delivery.deployment
    extension = _EXTENSIONS.get(d.content_type, "bin")
    stem = f"{d.promotion_id}_v{d.version}_{d.action}_{d.target}_{d.deployment_id}"
    return f"{_UNSAFE.sub('-', stem)}.{extension}"


class FileDropTransport:
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    async def send(self, delivery: ChannelDelivery) -> None:
        await asyncio.to_thread(self._write, delivery)

    def _write(self, delivery: ChannelDelivery) -> None:
        target = self._directory / file_name(delivery)
        partial = target.with_suffix(target.suffix + ".partial")
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as handle:
                handle.write(delivery.deployment.payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, target)
        except OSError as error:
            raise DeliveryFailed(f"file drop {self._directory}: {error}") from error
