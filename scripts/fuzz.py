"""Run the fuzz properties of tests/test_fuzz.py far longer than CI does.

python scripts/fuzz.py [EXAMPLES]      # default 2000 examples per property
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

if __name__ == "__main__":
    examples = sys.argv[1] if len(sys.argv) > 1 else "2000"
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "KG_FUZZ_EXAMPLES": examples}
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(root / "tests" / "test_fuzz.py"),
        "-q",
        "-p",
        "no:cacheprovider",
        "--hypothesis-show-statistics",
    ]
    sys.exit(subprocess.run(command, check=False, cwd=root, env=env).returncode)
