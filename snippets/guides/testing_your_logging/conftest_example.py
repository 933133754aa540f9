"""What your conftest.py needs: the fixture, for every test beside it."""

# --8<-- [start:conftest]
from wandb_testing import wandb_dir  # noqa: F401 - pytest finds fixtures by name
# --8<-- [end:conftest]
