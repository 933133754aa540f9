"""Run at the start of every Python child of a test (first on its PYTHONPATH): the network guard."""

import os

if os.environ.get("TESTED_DOCS_NETWORK_LOG"):
    from tested_docs.netguard import guard_this_process

    guard_this_process(os.environ["TESTED_DOCS_NETWORK_LOG"])
