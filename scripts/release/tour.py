"""The README's tour, as a user runs it after ``pip install invoice-clients``: against the installed package alone.

    python -m scripts.release.tour --python 3.12 --wheel dist/invoice_clients-X-py3-none-any.whl
    python -m scripts.release.tour --python 3.12 --index-url http://127.0.0.1:8000/simple/   # by name

A fresh virtual environment of that Python gets the wheel (or ``invoice-clients`` by name from the index) and its
dependencies, nothing else: no checkout on ``sys.path``, run from an empty directory.  Then, as the README says,
``invoice-clients sandbox`` is started and its printed ``export`` lines become the environment, and every
``$ invoice-clients ...`` line of the README's console blocks runs with that environment's command (the lines
after it are output it must print; ``sandbox`` and ``demo``, which run until stopped, are asked for ``--help``),
and every Python block runs in order with that environment's interpreter (a ``print(...)  # text`` comment is
output it must print).  The first line that does not hold fails the tour, naming the README's line.

tests/test_readme.py holds the same examples to the checkout; this holds them to what a release installs.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Step", "TourError", "create_venv", "install", "main", "run_tour", "steps"]

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
_TIMEOUT = 120


class TourError(Exception):
    """A step of the tour did not do what the README says."""


@dataclass(frozen=True)
class Step:
    """One README example: a command line (``args``) or a Python block (``code``), with the output it promises."""

    line: int
    args: tuple[str, ...] = ()
    code: str = ""
    expected: tuple[str, ...] = ()
    error: bool = False  # an error shown on purpose: exit status 2


def _blocks(text: str) -> Iterator[tuple[str, int, list[str]]]:
    lines = text.splitlines()
    at = 0
    while at < len(lines):
        opening = re.match(r"^```(\w*)\s*$", lines[at])
        if opening is None:
            at += 1
            continue
        end = next(i for i in range(at + 1, len(lines)) if lines[i].startswith("```"))
        previous = next((lines[i] for i in range(at - 1, -1, -1) if lines[i].strip()), "")
        if not previous.strip().startswith("<!-- not-run:"):
            yield opening[1], at + 1, lines[at + 1 : end]
        at = end + 1


def _printed_comments(code: str) -> tuple[str, ...]:
    found = []
    lines = code.splitlines()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            comment = lines[node.lineno - 1].partition("  # ")[2].strip()
            if comment:
                found.append(comment)
    return tuple(found)


def steps(readme: Path = README) -> list[Step]:
    """The README's examples, in the page's order."""
    found: list[Step] = []
    for language, line, body in _blocks(readme.read_text(encoding="utf-8")):
        if language == "python":
            code = "\n".join(body)
            found.append(Step(line, code=code, expected=_printed_comments(code)))
        elif language == "console":
            current: Step | None = None
            for offset, text in enumerate(body, start=1):
                if text.startswith("$ "):
                    if current is not None:
                        found.append(current)
                    current = None
                    if text.startswith("$ invoice-clients"):
                        args = shlex.split(text[2:].partition("  #")[0])[1:]
                        if args[:1] in (["sandbox"], ["demo"]):
                            args = [*args, "--help"]  # they serve until stopped
                        current = Step(line + offset, tuple(args))
                elif current is not None and text.strip():
                    expected = (*current.expected, text.rstrip())
                    error = expected[0].startswith("invoice-clients: error: ")
                    current = Step(current.line, current.args, expected=expected, error=error)
            if current is not None:
                found.append(current)
    return found


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def _uv(installer: str) -> str | None:
    """uv when it is to be used: asked for, or (``auto``) installed; ``pip`` is pip whatever is installed."""
    return None if installer == "pip" else shutil.which("uv")


def create_venv(python: str, venv: Path, installer: str = "auto") -> Path:
    """A fresh virtual environment of ``python`` (a command: ``python3.12``) at ``venv``; its interpreter."""
    uv = _uv(installer)
    command = [uv, "venv", "-q", "--python", python, str(venv)] if uv else [python, "-m", "venv", str(venv)]
    _run(command, "create a virtual environment")
    return _bin(venv, "python")


def install(interpreter: Path, *requirements: str, index_url: str | None = None, installer: str = "auto") -> None:
    """Install ``requirements`` (and their dependencies) into ``interpreter``'s environment, from ``index_url``."""
    uv = _uv(installer)
    index = ["--index-url", index_url] if index_url else []
    if uv:
        command = [uv, "pip", "install", "-q", "--python", str(interpreter), *index, *requirements]
    else:
        command = [str(interpreter), "-m", "pip", "install", "-q", *index, *requirements]
    _run(command, f"install {' '.join(requirements)}")


def _run(command: list[str], what: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, **kwargs)  # type: ignore[call-overload]
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise TourError(f"{what}: exit {done.returncode}: {' | '.join(said)}")
    return done  # type: ignore[no-any-return]


@contextmanager
def _sandbox(venv: Path, env: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """``invoice-clients sandbox`` running; the environment its ``export`` lines give."""
    server = subprocess.Popen(
        [str(_bin(venv, "invoice-clients")), "sandbox"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(env),
    )  # fmt: skip
    assert server.stdout is not None
    exported: dict[str, str] = {}
    try:
        for line in server.stdout:
            found = re.match(r"^\s*export (\w+)=(\S+)$", line)
            if found:
                exported[found[1]] = shlex.split(found[2])[0]
            if line.startswith("Serving until Ctrl-C"):
                break
        else:
            raise TourError(f"invoice-clients sandbox stopped: {server.stderr.read() if server.stderr else ''}")
        yield {**env, **exported}
    finally:
        server.terminate()
        server.communicate(timeout=30)


def _clean_environment(venv: Path) -> dict[str, str]:
    """This environment without any Python or checkout of ours on the path: only ``venv``'s commands first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "GCORE_", "VERSORI_"))}
    env["PATH"] = os.pathsep.join([str(_bin(venv, "")), env.get("PATH", "")])
    return env


def run_tour(venv: Path, workdir: Path, readme: Path = README) -> list[str]:
    """Every README example against ``venv``'s installed package; one line per step that held."""
    workdir.mkdir(parents=True, exist_ok=True)
    ran: list[str] = []
    with _sandbox(venv, _clean_environment(venv)) as env:
        for step in steps(readme):
            where = f"{readme.name}:{step.line}"
            if step.code:
                command = [str(_bin(venv, "python")), "-I", "-c", step.code]
            else:
                command = [str(_bin(venv, "invoice-clients")), *step.args]
            done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=_TIMEOUT)
            wanted = 2 if step.error else 0
            shown = step.code.splitlines()[0] if step.code else f"invoice-clients {shlex.join(step.args)}"
            if done.returncode != wanted:
                said = (done.stderr or done.stdout).strip().splitlines()[-3:]
                raise TourError(f"{where}: {shown}: exit {done.returncode}, not {wanted}: {' | '.join(said)}")
            printed = [line.rstrip() for line in (done.stdout + done.stderr).splitlines()]
            for expected in step.expected:
                if not any(expected in line for line in printed) if step.code else expected not in printed:
                    raise TourError(f"{where}: {shown}: did not print {expected!r} (printed {printed[-5:]})")
            ran.append(f"{where}: {shown}: ok")
    return ran


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.release.tour", description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", required=True, help="the interpreter command, e.g. python3.12")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--wheel", type=Path, help="the wheel to install (its dependencies from the index)")
    source.add_argument("--index-url", help="install invoice-clients by name from this index, and nothing else")
    parser.add_argument("--installer", choices=["auto", "pip", "uv"], default="auto", help="auto: uv if installed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="invoice-clients-tour-") as scratch:
        try:
            venv = Path(scratch) / "venv"
            interpreter = create_venv(args.python, venv, args.installer)
            if args.wheel is not None:
                install(interpreter, str(args.wheel.resolve()), installer=args.installer)
            else:
                install(interpreter, "invoice-clients", index_url=args.index_url, installer=args.installer)
            version = _run([str(_bin(venv, "invoice-clients")), "--version"], "invoice-clients --version")
            how = f"from {args.index_url}, by name" if args.index_url else f"from {args.wheel.name}"
            print(f"{args.python}: installed {version.stdout.strip()} {how}", flush=True)
            for line in run_tour(venv, Path(scratch) / "work"):
                print(f"  {line}", flush=True)
        except (TourError, OSError, subprocess.TimeoutExpired) as exc:
            print(f"error: {args.python}: {exc}", file=sys.stderr)
            return 1
    print(f"{args.python}: the README's tour passed against the installed package alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
