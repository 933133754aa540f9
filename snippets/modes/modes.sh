#!/usr/bin/env bash
# Turn W&B off and on: in the environment, for one folder, or in the code.
set -euo pipefail
# --8<-- [start:environment]
WANDB_MODE=disabled python modes_trainer.py
# --8<-- [end:environment]
# --8<-- [start:code_wins]
WANDB_MODE=offline python modes_trainer.py --no-wandb
# --8<-- [end:code_wins]
# --8<-- [start:folder]
wandb offline
python modes_trainer.py
wandb disabled
python modes_trainer.py
WANDB_MODE=offline python modes_trainer.py
wandb online
# --8<-- [end:folder]
# --8<-- [start:optional]
python optional_trainer.py
python optional_trainer.py --wandb
# --8<-- [end:optional]
