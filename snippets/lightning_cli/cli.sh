#!/usr/bin/env bash
# LightningCLI with W&B: install, train from config.yaml, override, look up the options.
set -euo pipefail
# --8<-- [start:install]
pip install "jsonargparse[signatures]>=4.39,<4.49"
# --8<-- [end:install]
# --8<-- [start:fit]
python cli.py fit --config config.yaml
# --8<-- [end:fit]
# --8<-- [start:override]
python cli.py fit --config config.yaml --model.lr=0.02 --trainer.logger.name=lr-0.02
# --8<-- [end:override]
# --8<-- [start:device]
python cli.py fit --config config.yaml --trainer.accelerator=gpu --trainer.devices=1
# --8<-- [end:device]
# --8<-- [start:offline]
WANDB_MODE=offline python cli.py fit --config config.yaml
# --8<-- [end:offline]
# --8<-- [start:help]
python cli.py fit --help
python cli.py fit --trainer.logger.help WandbLogger
python cli.py fit --config config.yaml --print_config
# --8<-- [end:help]
