"""``python -m kg``: the same as the ``kg`` command."""

from kg.cli.main import console_main

console_main()
