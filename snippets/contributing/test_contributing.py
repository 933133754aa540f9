"""The contributing guide's example snippet, and the page fragment it shows."""

from pathlib import Path

from snippets.contributing import new_topic
from tested_docs import RecordedRun
from tested_docs.pages import INCLUDE
from tested_docs.snippets import sections

ROOT = Path(__file__).resolve().parents[2]


# --8<-- [start:check]
def check(run: RecordedRun) -> None:
    assert run.exit_code == 0
    assert run.project == "new-topic"
    assert run.config == {"lr": 0.1}
    steps = run.column("trainer/global_step")
    assert steps == sorted(steps) and steps[-1] == 15 - 1  # 1,797 digits: 15 batches
    assert len(run.column("train_loss")) == 3  # every 5 steps: 4, 9 and 14


def test_new_topic(wandb_offline, accelerator):
    new_topic.main(accelerator=accelerator)
    check(wandb_offline.run())


def test_runs_as_a_script(wandb_offline):
    wandb_offline.run_script(new_topic.__file__)
    check(wandb_offline.run())


# --8<-- [end:check]


def test_page_example_includes_exist():
    """The page fragment shown in the guide includes sections that exist."""
    text = (Path(__file__).with_name("page_example.md")).read_text(encoding="utf-8")
    includes = [
        INCLUDE.match(line.replace(";--8<--", "--8<--")) for line in text.splitlines()
    ]
    found = [(m["file"], m["section"]) for m in includes if m]
    assert len(found) == 2
    for file, section in found:
        assert section in sections(ROOT / file), (file, section)
