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
    from ..vendors import all_vendors

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with Sandbox(host=host, port=port) as sandbox:
            env: dict[str, str] = {}
            lines = []
            for plugin in all_vendors():
                api = sandbox.api(plugin.name)
                env[plugin.env_var] = api.api_key
                env[plugin.base_url_env_var] = sandbox.base_url_of(plugin.name)
                described = plugin.describe_sandbox(api)
                url = sandbox.base_url_of(plugin.name)
                lines.append(f"sandbox: {plugin.display_name:<8}{url}  key {api.api_key}  {described}")
            lines += [
                "",
                "In another terminal:",
                "",
                *(f"  export {name}={shlex.quote(value)}" for name, value in env.items()),
                "  invoice-clients invoices list",
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
