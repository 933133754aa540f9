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

__all__ = [
    "Artifact",
    "ArtifactFile",
    "MetricDefinition",
    "RecordedRun",
    "RunReadError",
    "read_run",
    "read_runs",
    "wandb_digest",
]
