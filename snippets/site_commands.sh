#!/usr/bin/env bash
# The commands a maintainer runs from a clone of this project (the README's quick start).
set -euo pipefail
# --8<-- [start:serve]
./dev serve
# --8<-- [end:serve]
# --8<-- [start:test]
./dev test
# --8<-- [end:test]
# --8<-- [start:snippets]
./dev pytest snippets
# --8<-- [end:snippets]
