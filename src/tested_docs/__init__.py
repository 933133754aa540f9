"""Machinery that keeps the docs honest: read back W&B runs, the pytest plugin, the docs checks."""

from tested_docs.runs import (
    Artifact,
    ArtifactFile,
    MetricDefinition,
    RecordedRun,
    RunReadError,
    read_run,
    read_runs,
    wandb_digest,
)

TORCH_DEVICE = {"cpu": "cpu", "gpu": "cuda"}
"""The torch device type a run lands on, for each case of the `accelerator` fixture."""

__all__ = [
    "TORCH_DEVICE",
    "Artifact",
    "ArtifactFile",
    "MetricDefinition",
    "RecordedRun",
    "RunReadError",
    "read_run",
    "read_runs",
    "wandb_digest",
]
