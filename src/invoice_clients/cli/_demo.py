"""``invoice-clients demo``: the whole thing working, without an account.

Starts the sandbox (:mod:`invoice_clients.testing`) on loopback, then runs the
real command line against it in subprocesses, printing each command first, so
what a newcomer sees is exactly what they would type.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["run_demo"]


def run_demo(directory: Path | None) -> int:
    """Run the demo commands; return the first failing exit status, or 0."""
    from ..testing import Sandbox
    from ..vendors import all_vendors

    # The files are the demo's result: they are kept (a temporary directory would be gone by the time the
    # closing line that names it is read).
    out = directory or Path(tempfile.mkdtemp(prefix="invoice-clients-demo-"))
    out.mkdir(parents=True, exist_ok=True)
    with Sandbox() as sandbox:
        env = dict(os.environ)
        for plugin in all_vendors():
            env[plugin.env_var] = sandbox.api(plugin.name).api_key
            env[plugin.base_url_env_var] = sandbox.base_url_of(plugin.name)
        keys = ", ".join(plugin.env_var for plugin in all_vendors())
        print(f"# sandbox serving every vendor's API on {sandbox.url} (keys exported as {keys})\n")
        steps = [step for plugin in all_vendors() for step in plugin.demo_steps(sandbox.api(plugin.name), out)]
        for args in steps:
            print(f"$ invoice-clients {shlex.join(args)}", flush=True)
            status = subprocess.run([sys.executable, "-m", "invoice_clients", *args], env=env, check=False).returncode
            print(flush=True)
            if status:
                return status
        print(f"# files written in {out} (kept): {', '.join(sorted(p.name for p in out.iterdir()))}")
        print("# run the sandbox yourself and try any command: invoice-clients sandbox")
    return 0
