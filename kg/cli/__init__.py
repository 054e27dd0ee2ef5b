"""The ``kg`` command: parses arguments, calls :mod:`kg.api`, prints."""
