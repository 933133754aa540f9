"""The precision page: what mixed precision changes in what W&B records, what it leaves
alone, and where the setting goes (the config, since Lightning records it nowhere)."""

import json
import re
from pathlib import Path

import pytest
import torch
from lightning.pytorch.utilities.model_summary import summarize

from tested_docs import RecordedRun

HERE = Path(__file__).parent
TRAINER = HERE / "precision_trainer.py"
FABRIC = HERE / "precision_fabric.py"
STEP_KEYS = {"train_loss", "max_abs_logit", "loss_scale", "trainer/global_step"}
# GradScaler's default init_scale; it grows only after 2,000 steps without overflow
FP16_SCALE = torch.amp.GradScaler("cpu").get_scale()
# what both scripts record for max_abs_logit on a CPU (the page quotes them)
CPU_BF16_LOGITS = [1.125, 3.328125, 6.6875]


def holds_only(values: list[float], dtype: torch.dtype) -> bool:
    """Every value survives a round trip through `dtype`: no more digits than it holds."""
    exact = torch.tensor(values, dtype=torch.float64)
    return torch.equal(exact.to(dtype).double(), exact)


def records_naming(run: RecordedRun, text: str) -> list[dict]:
    """The records that hold `text`, besides the command line (environment records)."""
    return [
        record
        for record in run.records
        if record["type"] != "environment" and text in json.dumps(record)
    ]


def command_line(run: RecordedRun) -> list[str]:
    """The arguments W&B recorded with the script's name (the run's Overview shows them)."""
    environment = [r["environment"] for r in run.records if r["type"] == "environment"]
    return next(e.get("args", []) for e in environment if "program" in e)


def fallback_warning(api: str) -> str:
    """Lightning's warning for "16-mixed" on a CPU, where it uses "bf16-mixed" instead."""
    return re.escape(
        f"You passed `{api}(accelerator='cpu', precision='16-mixed')` but AMP with fp16"
        " is not supported on CPU. Using `precision='bf16-mixed'` instead."
    )


def check_mixed(
    run: RecordedRun, precision: str, low: torch.dtype, scale: float
) -> None:
    """A mixed-precision run: the setting in the config and nowhere else, values computed
    from the logits rounded to `low`, the loss computed in float32, the loss scale."""
    assert run.exit_code == 0
    assert run.config["precision"] == precision
    # Lightning and Fabric record the setting nowhere else in the run (a precision
    # given on the command line shows in the recorded command: see the 16-mixed cases)
    named = records_naming(run, f'"{precision}"')
    assert [(r["type"], r.get("config")) for r in named] == [
        ("config", {"update": {"precision": precision}})
    ]
    # the values reach W&B as plain numbers, but with the digits of the dtype they
    # were computed in: the logits' (bfloat16 or float16), the loss's (float32)
    logits = run.column("max_abs_logit")
    assert len(logits) == 3 and holds_only(logits, low)
    losses = run.column("train_loss")
    assert not any(holds_only([loss], low) for loss in losses)
    assert run.column("loss_scale") == [scale] * 3


def test_grad_scaler_defaults():
    """The page's numbers: 2**16 to start, halved on overflow, doubled after 2,000 steps."""
    scaler = torch.amp.GradScaler("cpu")
    assert FP16_SCALE == 2.0**16
    assert scaler.get_backoff_factor() == 0.5
    assert (scaler.get_growth_factor(), scaler.get_growth_interval()) == (2.0, 2000)


def test_trainer(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(TRAINER)
    trainer = namespace["trainer"]
    assert trainer.strategy.root_device.type == torch_device
    run = wandb_offline.run()
    assert run.project == "lightning-precision"
    # the config: the module's hyperparameters, and the precision the script added
    assert run.config == {"precision": "bf16-mixed", "hidden": 64, "lr": 0.01}
    check_mixed(run, "bf16-mixed", torch.bfloat16, 1.0)
    if accelerator == "cpu":
        assert run.column("max_abs_logit") == CPU_BF16_LOGITS
    assert command_line(run) == []
    # what does not change: the keys, the steps (24 batches, log_every_n_steps=8)
    assert [set(row) & STEP_KEYS for row in run.rows_with("train_loss")] == [
        STEP_KEYS
    ] * 3
    assert run.column("trainer/global_step") == [7, 15, 23, 23]
    assert run.rows_with("val_accuracy")[0]["trainer/global_step"] == 23
    # self.log keeps a float32 copy of a bfloat16 value (at least float32, in Lightning)
    assert trainer.callback_metrics["max_abs_logit"].dtype == torch.float32
    # mixed precision computes in bfloat16 but keeps the weights in float32
    module = trainer.lightning_module
    assert {p.dtype for p in module.parameters()} == {torch.float32}
    # why the script turns the model summary off: it warns under mixed precision
    with pytest.warns(
        UserWarning, match="Precision bf16-mixed is not supported by the model"
    ):
        summarize(module)


def test_trainer_16_mixed(wandb_offline, accelerator, torch_device):
    """The GPU case: float16 with a loss scale. On a CPU, Lightning warns and uses bf16."""
    if accelerator == "cpu":
        with pytest.warns(UserWarning, match=fallback_warning("Trainer")):
            namespace = wandb_offline.run_script(TRAINER, "--precision", "16-mixed")
        # the config holds what Lightning uses, not what was asked for
        expected = ("bf16-mixed", torch.bfloat16, 1.0)
    else:
        namespace = wandb_offline.run_script(TRAINER, "--precision", "16-mixed")
        expected = ("16-mixed", torch.float16, FP16_SCALE)
    run = wandb_offline.run()
    check_mixed(run, *expected)
    # the command line, as W&B recorded it, shows what was asked for
    assert command_line(run) == ["--precision", "16-mixed"]
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(FABRIC)
    fabric = namespace["fabric"]
    assert fabric.device.type == torch_device
    run = wandb_offline.run()
    assert run.project == "lightning-precision"
    assert run.config == {"precision": "bf16-mixed"}
    check_mixed(run, "bf16-mixed", torch.bfloat16, 1.0)
    if accelerator == "cpu":
        assert run.column("max_abs_logit") == CPU_BF16_LOGITS
    assert run.column("trainer/global_step") == [8, 16, 24]
    # Fabric hands the module's output back in float32, holding bfloat16 values;
    # the loss, computed outside the module, is float32 too
    logits = namespace["logits"]
    assert logits.dtype == torch.float32 and namespace["loss"].dtype == torch.float32
    assert holds_only(logits.flatten().tolist(), torch.bfloat16)
    assert {p.dtype for p in namespace["model"].parameters()} == {torch.float32}


def test_fabric_lt_precision(wandb_offline, accelerator, torch_device, monkeypatch):
    """LT_PRECISION in the environment wins over precision= in the code."""
    monkeypatch.setenv("LT_PRECISION", "32-true")
    namespace = wandb_offline.run_script(FABRIC)
    run = wandb_offline.run()
    assert run.config == {"precision": "32-true"}
    # the same keys on the same steps; only the digits differ
    assert [set(row) for row in run.history] == [
        STEP_KEYS | {"_runtime", "_step", "_timestamp"}
    ] * 3
    assert run.column("trainer/global_step") == [8, 16, 24]
    assert not holds_only(run.column("max_abs_logit"), torch.bfloat16)
    assert run.column("loss_scale") == [1.0] * 3
    assert namespace["fabric"].device.type == torch_device


def test_fabric_16_mixed(wandb_offline, accelerator, torch_device):
    """The GPU case: float16 with a loss scale. On a CPU, Fabric warns and uses bf16."""
    if accelerator == "cpu":
        with pytest.warns(UserWarning, match=fallback_warning("Fabric")):
            namespace = wandb_offline.run_script(FABRIC, "--precision", "16-mixed")
        expected = ("bf16-mixed", torch.bfloat16, 1.0)
    else:
        namespace = wandb_offline.run_script(FABRIC, "--precision", "16-mixed")
        expected = ("16-mixed", torch.float16, FP16_SCALE)
    run = wandb_offline.run()
    check_mixed(run, *expected)
    assert command_line(run) == ["--precision", "16-mixed"]
    assert namespace["fabric"].device.type == torch_device
