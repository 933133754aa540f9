"""Fixtures the snippet tests share, beside those of the `tested_docs` pytest plugin."""

import pytest

TORCH_DEVICE = {"cpu": "cpu", "gpu": "cuda"}


@pytest.fixture
def torch_device(accelerator: str) -> str:
    """The torch device type a run must land on in this case of the `accelerator` fixture."""
    return TORCH_DEVICE[accelerator]
