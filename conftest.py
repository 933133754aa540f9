"""This project's tests load its pytest plugins here, and only here (not for every pytest session
of the environment it is installed into): offline W&B, the accelerator cases, the network guard
and the "tested with" stamp; the slowest tests first. `pytester` runs pytest inside the tests of
the plugin itself."""

pytest_plugins = ["tested_docs.pytest_plugin", "tested_docs.slowest_first", "pytester"]
