"""supernode-kg: a knowledge graph of the AI supernode server market and the tools to ask it."""

from __future__ import annotations

__version__ = "0.1.0"
