"""The learning-rate page: the keys LearningRateMonitor records, the steps it records them
at, and each value against the one its scheduler sets, replayed here step by step."""

from pathlib import Path

import pytest
import torch

from tested_docs import RecordedRun

HERE = Path(__file__).parent
# 1,500 training digits in batches of 64: 24 batches, so 24 optimizer steps an epoch
STEPS_PER_EPOCH = 24
LR_KEYS = {"lr-SGD/pg1", "lr-SGD/pg2", "lr-SGD/pg1-momentum", "lr-SGD/pg2-momentum"}


def one_cycle_replay(lr: float, total_steps: int) -> list[dict[str, float]]:
    """What OneCycleLR itself sets before each optimizer step: both groups' rates and momenta.

    The same optimizer and scheduler as the scripts, over two stand-in parameters.
    """
    groups = [{"params": [torch.zeros(1)]}, {"params": [torch.zeros(1)]}]
    optimizer = torch.optim.SGD(groups, lr=lr, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=[lr, lr / 10], total_steps=total_steps
    )
    replay = []
    for _ in range(total_steps):
        replay.append(
            {
                f"lr-SGD/pg{i}{suffix}": group[name]
                for i, group in enumerate(optimizer.param_groups, start=1)
                for suffix, name in (("", "lr"), ("-momentum", "momentum"))
            }
        )
        optimizer.step()
        scheduler.step()
    return replay


def lr_rows(run: RecordedRun) -> list[dict[str, float]]:
    rows = run.rows_with("lr-SGD/pg1")
    assert all(
        {k for k in row if not k.startswith("_")} == LR_KEYS | {"trainer/global_step"}
        for row in rows
    )
    return rows


def test_per_step(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "lr_step_trainer.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-learning-rate"
    trainer = namespace["trainer"]
    total = 2 * STEPS_PER_EPOCH
    assert trainer.estimated_stepping_batches == trainer.global_step == total
    replay = one_cycle_replay(lr=0.1, total_steps=total)
    # the rate goes up then down, the momentum the other way: a real schedule
    rates = [r["lr-SGD/pg1"] for r in replay]
    momenta = [r["lr-SGD/pg1-momentum"] for r in replay]
    assert 0 < rates.index(max(rates)) == momenta.index(min(momenta)) < total - 1
    # the output layer's group peaks at a tenth of the hidden layer's
    assert max(r["lr-SGD/pg2"] for r in replay) == pytest.approx(max(rates) / 10)
    rows = lr_rows(run)
    # on_train_batch_start, when the batch about to run is a logging one: the
    # (s + 1)-th optimizer step, at trainer/global_step s, every log_every_n_steps=4
    expected_steps = [s for s in range(total) if (s + 1) % 4 == 0]
    assert (
        [row["trainer/global_step"] for row in rows]
        == expected_steps
        == list(range(3, 48, 4))
    )
    for row in rows:
        step = row["trainer/global_step"]
        # the rates and momenta the scheduler set for that batch, exactly
        assert {key: row[key] for key in LR_KEYS} == replay[step], step
    # the loss of the same batches lands on the same steps
    assert run.steps("train_loss") == expected_steps
    assert run.steps("val_accuracy") == [23, 47]
    assert run.config == {"hidden": 64, "lr": 0.1}
    # the summary holds the last recorded rate: the end of the cycle, not zero
    assert run.summary["lr-SGD/pg1"] == replay[47]["lr-SGD/pg1"] > 0
    assert trainer.strategy.root_device.type == torch_device


def test_per_epoch(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "lr_epoch_trainer.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    # StepLR(step_size=1, gamma=0.5) on lr=1e-2, read at the start of each epoch
    optimizer = torch.optim.AdamW([torch.zeros(1)], lr=1e-2)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    expected = []
    for _ in range(2):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert expected == [0.01, 0.005]
    rows = run.rows_with("lr-AdamW")
    assert [
        {k: v for k, v in row.items() if not k.startswith("_")} for row in rows
    ] == [
        {
            "lr-AdamW": lr,
            # AdamW has betas, not momentum: the monitor records betas[0]
            "lr-AdamW-momentum": 0.9,
            "lr-AdamW-weight_decay": optimizer.defaults["weight_decay"],
            # on_train_epoch_start: the steps taken before the epoch
            "trainer/global_step": epoch * STEPS_PER_EPOCH,
        }
        for epoch, lr in enumerate(expected)
    ]
    assert optimizer.defaults["weight_decay"] == 0.01
    # the step values still follow log_every_n_steps=8: (s + 1) % 8 == 0
    assert run.steps("train_loss") == list(range(7, 48, 8))
    assert namespace["trainer"].global_step == 2 * STEPS_PER_EPOCH
    assert namespace["trainer"].strategy.root_device.type == torch_device


def test_fabric(wandb_offline, accelerator, torch_device):
    namespace = wandb_offline.run_script(HERE / "lr_fabric.py")
    run = wandb_offline.run()
    assert run.exit_code == 0
    assert run.project == "lightning-learning-rate"
    total = 2 * STEPS_PER_EPOCH
    replay = one_cycle_replay(lr=0.1, total_steps=total)
    rows = lr_rows(run)
    # logged before the optimizer step, at the steps taken so far: 0, 4, ..., 44
    assert [row["trainer/global_step"] for row in rows] == list(range(0, total, 4))
    for row in rows:
        step = row["trainer/global_step"]
        assert {key: row[key] for key in LR_KEYS} == replay[step], step
    assert namespace["step"] == total
    # fabric.setup wraps the optimizer: its class name is not SGD any more
    assert type(namespace["optimizer"]).__name__ == "FabricSGD"
    assert namespace["fabric"].device.type == torch_device


def test_one_cycle_past_total_steps():
    """The pitfall on the page: one scheduler step more than total_steps raises."""
    optimizer = torch.optim.SGD([torch.zeros(1)], lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=0.1, total_steps=48
    )
    for _ in range(48):
        optimizer.step()
        scheduler.step()
    optimizer.step()
    with pytest.raises(
        ValueError,
        match=r"^Tried to step 49 times\. The specified number of total steps is 48$",
    ):
        scheduler.step()
