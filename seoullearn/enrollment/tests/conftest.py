from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from seoullearn.enrollment.tests.sandbox import SandboxProcess


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxProcess]:
    proc = SandboxProcess(tmp_path).start()
    yield proc
    proc.stop()
