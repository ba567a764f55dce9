"""The vendor registry: what the shared layers (exports, the sandbox, the command line) know of a vendor.

A vendor is a folder ``vendors/<name>/`` holding its client, wire format, checks, sandbox API and seed data,
and exporting one :class:`VendorPlugin`.  Nothing outside the folder names the vendor, except the list of
built-in vendors (``vendors/__init__.py``) and the public exports (``invoice_clients/__init__.py``); a vendor
from elsewhere (a test's, a plugin's) calls :func:`register`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

if TYPE_CHECKING:
    from .._base import AsyncClientBase, SyncClientBase
    from .._model.invoice import Invoice
    from .._sandbox.http import Reply, SandboxRequest

__all__ = [
    "CliOption",
    "ClientSettings",
    "SandboxAPI",
    "VendorPlugin",
    "all_vendors",
    "deferred",
    "get",
    "register",
    "settings_of",
    "unregister",
]


class SandboxAPI(Protocol):
    """A vendor's API in the sandbox: its state, and a pure function from a request to a reply."""

    api_key: str

    def handle(self, request: SandboxRequest, origin: str) -> Reply: ...


@dataclass(frozen=True, slots=True)
class CliOption:
    """One command-line option of ``invoices list``/``export`` that a vendor declares.

    ``name`` is the keyword the vendor's ``cli_list`` receives; ``flag`` the option (``--currency``);
    ``kind`` one of ``str``, ``int``, ``date``, ``bool`` or ``choice`` (then ``choices``); a ``repeat`` option
    may be given several times and reaches ``cli_list`` as a tuple.  Options of the same ``flag`` declared by
    several vendors are one option (``--from``).  A vendor declaring ``--from`` and ``--to`` (dates) gets
    ``--month`` and ``--last-month`` too, which set both.
    """

    name: str
    flag: str
    help: str
    kind: str = "str"
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    repeat: bool = False


@dataclass(frozen=True, slots=True)
class VendorPlugin:
    """Everything the shared layers need of one vendor."""

    name: str
    """``--vendor NAME``, ``Invoice.vendor``, ``Sandbox.api(NAME)``."""
    display_name: str
    env_var: str
    base_url_env_var: str
    default_base_url: str
    client: type[SyncClientBase]
    async_client: type[AsyncClientBase]
    sandbox_prefix: str
    """The API's path prefix on the sandbox (requests under it are routed to its sandbox API)."""
    sandbox_base_path: str
    """Appended to the sandbox's URL to give the client's base URL."""
    sandbox_api: Callable[[str, str], SandboxAPI]
    """``(api_key, forbidden_key)`` -> a fresh sandbox API."""
    seed: Callable[[Any], None]
    """Fills a fresh sandbox API with the seed data."""
    cli_options: Sequence[CliOption] = ()
    cli_list: Callable[[Any, Mapping[str, Any]], Iterable[Invoice]] | None = None
    """``(client, options)`` -> the invoices to print; ``options`` holds every declared option that was given."""
    cli_usage: str = ""
    """Said when an option of another vendor is given with ``--vendor NAME``."""
    cli_commands: Callable[[Any], None] | None = None
    """Adds the vendor's own commands (``invoices get``) given the command line's ``VendorCommands``
    (``add_command``, ``command``, ``option``, ``client_for``, ``fail_for``...)."""
    describe_sandbox: Callable[[Any], str] = lambda api: ""
    """What ``invoice-clients sandbox`` says of the vendor's sandbox API (``"(31 invoices)"``)."""
    demo_steps: Callable[[Any, Any], Sequence[Sequence[str]]] = lambda api, directory: ()
    """The command lines ``invoice-clients demo`` runs against the sandbox API (files go to ``directory``)."""
    cli_listing_not_found: str = ""
    """What else a 404 on the command line's listing may mean, when its path names something of the user's (Versori:
    the organisation); empty when the path is the API's own, so a 404 means the base URL is wrong (exit code 9)."""

    @property
    def sandbox_key(self) -> str:
        return f"sandbox-{self.name}-key"

    @property
    def sandbox_forbidden_key(self) -> str:
        return f"sandbox-{self.name}-forbidden"


class ClientSettings(TypedDict):
    """A :class:`VendorPlugin`'s fields that its client class states already."""

    env_var: str
    base_url_env_var: str
    default_base_url: str


def settings_of(client: type[SyncClientBase]) -> ClientSettings:
    """``client``'s key and base URL variables and its default base URL, for its :class:`VendorPlugin`."""
    return {
        "env_var": client.ENV_VAR,
        "base_url_env_var": client.BASE_URL_ENV_VAR,
        "default_base_url": client.DEFAULT_BASE_URL,
    }


def deferred(module: str, name: str) -> Callable[..., Any]:
    """``module.name``, imported when first called rather than with the vendor: a vendor's sandbox API and seed
    load when a sandbox starts, never with its client."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


_REGISTRY: dict[str, VendorPlugin] = {}
_BUILTIN: list[str] = []
"""Modules of built-in vendors not imported yet: each is imported, and its ``PLUGIN`` registered, on the
registry's first use (so that ``import invoice_clients`` does not import the vendors' clients)."""
_LOCK = threading.RLock()


def register_builtin(*modules: str) -> None:
    """Register the vendors of ``modules`` (each exports ``PLUGIN``), in this order, on the registry's first use."""
    _BUILTIN.extend(modules)


def _load_builtin() -> None:
    if not _BUILTIN:
        return
    with _LOCK:  # two threads' first uses must not both take (or skip) a module
        while _BUILTIN:
            plugin: VendorPlugin = importlib.import_module(_BUILTIN[0]).PLUGIN
            _add(plugin)
            del _BUILTIN[0]


def register(plugin: VendorPlugin) -> VendorPlugin:
    """Add a vendor (its name must be new); returns it."""
    _load_builtin()  # the built-in vendors come first, as if registered at import
    return _add(plugin)


def _add(plugin: VendorPlugin) -> VendorPlugin:
    if plugin.name in _REGISTRY and _REGISTRY[plugin.name] is not plugin:
        raise ValueError(f"a vendor named {plugin.name!r} is already registered")
    _REGISTRY[plugin.name] = plugin
    return plugin


def unregister(name: str) -> None:
    """Remove a vendor (for tests that register one of their own)."""
    _load_builtin()
    _REGISTRY.pop(name, None)


def all_vendors() -> tuple[VendorPlugin, ...]:
    """The registered vendors, in registration order."""
    _load_builtin()
    return tuple(_REGISTRY.values())


def get(name: str) -> VendorPlugin:
    """The vendor called ``name``; ``KeyError`` if there is none."""
    _load_builtin()
    return _REGISTRY[name]
