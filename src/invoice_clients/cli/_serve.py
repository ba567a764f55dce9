"""``invoice-clients sandbox``: the offline sandbox as a server, to try any command against.

Prints the URLs, keys and organisation ids, and the exact environment to set,
then serves until Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import shlex
import signal
import threading
from types import FrameType

__all__ = ["run_sandbox"]


def run_sandbox(host: str, port: int) -> int:
    """Serve the sandbox on ``host:port`` (0: a free port) until interrupted; return 0."""
    from ..testing import Sandbox

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Sandbox(host=host, port=port) as sandbox:
            env = {
                "GCORE_API_KEY": sandbox.gcore.api_key,
                "GCORE_BASE_URL": sandbox.gcore_base_url,
                "VERSORI_API_KEY": sandbox.versori.api_key,
                "VERSORI_BASE_URL": sandbox.versori_base_url,
            }
            organisations = ", ".join(sandbox.organisation_ids)
            lines = [
                f"sandbox: Gcore   {sandbox.gcore_base_url}  key {sandbox.gcore.api_key}"
                f"  ({len(sandbox.gcore.invoices)} invoices)",
                f"sandbox: Versori {sandbox.versori_base_url}  key {sandbox.versori.api_key}"
                f"  (organisations {organisations})",
                "",
                "In another terminal:",
                "",
                *(f"  export {name}={shlex.quote(value)}" for name, value in env.items()),
                "  invoice-clients invoices list --currency EUR",
                "  invoice-clients invoices pdf 1 -o invoice-1.pdf",
                f"  invoice-clients invoices list --vendor versori --organisation {sandbox.organisation_ids[0]}"
                " --from 2026-01-01"
                if sandbox.organisation_ids
                else "",
                "",
                "Serving until Ctrl-C.",
            ]
            print("\n".join(lines), flush=True)
            stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("sandbox: stopped", flush=True)
    return 0
