#!/usr/bin/env bash
# The commands of the contributing guide, run from the project's root folder.
set -euo pipefail
# --8<-- [start:topic]
./dev pytest snippets/new_topic -v
./dev pytest snippets/new_topic --cov=snippets/new_topic --cov-report=term-missing
# --8<-- [end:topic]
# --8<-- [start:check]
./dev check
# --8<-- [end:check]
# --8<-- [start:refresh]
python -m tested_docs refresh-translations docs/new-topic.md
./dev check
# --8<-- [end:refresh]
# --8<-- [start:build]
NO_MKDOCS_2_WARNING=1 mkdocs build --strict -d /tmp/site
# --8<-- [end:build]
# --8<-- [start:all]
./dev test
# --8<-- [end:all]
