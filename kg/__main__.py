"""``python -m kg``: the same as the ``kg`` command."""

from kg.cli import console_main

console_main()
