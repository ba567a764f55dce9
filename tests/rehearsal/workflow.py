"""Run one job of a GitHub Actions workflow file offline: its ``run:`` steps, in order, as a runner would.

The workflow is read at run time, so a rehearsal always tests the file as it is.
What a hosted runner would provide comes from the caller: the checkout (the
``workspace``, a clone of a local bare repository), a Python on ``PATH`` (in
place of ``actions/setup-python``) and the expression contexts (``github``,
``inputs``, ``secrets``).  Each ``run:`` step runs as GitHub runs a step without
``shell:`` on Linux (``bash -e`` on a script file), with the workflow's, the
job's and the step's ``env`` (expressions evaluated), the default variables
(``CI``, ``GITHUB_*``, ``RUNNER_TEMP``), fresh ``GITHUB_OUTPUT``,
``GITHUB_STEP_SUMMARY``, ``GITHUB_ENV`` and ``GITHUB_PATH`` files, and ``if:``
conditions (a failed step skips the rest unless ``always()``).

Only the expression syntax workflows commonly use is understood (contexts,
literals, ``== != && || !``, ``always() success() failure()``); anything else,
an unknown action or a ``shell:`` other than bash is an error, so a workflow
that outgrows the rehearsal fails it loudly instead of being rehearsed wrong.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["JobResult", "RehearsalError", "StepResult", "evaluate", "run_job", "substitute"]

# Actions whose effect the caller provides (a checkout, a Python on PATH) or that only upload files.
PROVIDED = ("actions/checkout", "actions/setup-python", "actions/upload-artifact", "actions/download-artifact")
"""(``download-artifact``: the rehearsal runs a workflow's jobs in one workspace, where the files already are.)"""


class RehearsalError(Exception):
    """The workflow uses something the rehearsal cannot reproduce."""


@dataclass
class StepResult:
    name: str
    id: str
    ran: bool
    status: int | None = None  # None: skipped, or provided by the caller (``uses:``)
    outputs: dict[str, str] = field(default_factory=dict)
    log: str = ""


@dataclass
class JobResult:
    steps: list[StepResult]
    summary: str
    success: bool

    def step(self, step_id: str) -> StepResult:
        (found,) = [step for step in self.steps if step.id == step_id]
        return found

    @property
    def log(self) -> str:
        return "\n".join(f"--- {step.name} (exit {step.status})\n{step.log}" for step in self.steps if step.ran)


# -- expressions -----------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\)|\.|\[|\])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, at = [], 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = _TOKEN.match(text, at)
        if match is None:
            raise RehearsalError(f"expression {text!r}: cannot read {text[at:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        at = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, context: dict[str, Any], status: dict[str, bool]) -> None:
        self.text, self.tokens, self.at = text, _tokens(text), 0
        self.context, self.status = context, status

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise RehearsalError(f"expression {self.text!r}: expected {value or 'more'} at token {self.at}")
        self.at += 1
        return token

    def parse(self) -> Any:
        value = self.either()
        if self.peek() is not None:
            raise RehearsalError(f"expression {self.text!r}: unexpected {self.peek()}")
        return value

    def either(self) -> Any:
        value = self.both()
        while self.peek() == ("op", "||"):
            self.take()
            other = self.both()
            value = value if _truthy(value) else other
        return value

    def both(self) -> Any:
        value = self.compare()
        while self.peek() == ("op", "&&"):
            self.take()
            other = self.compare()
            value = other if _truthy(value) else value
        return value

    def compare(self) -> Any:
        value = self.unary()
        token = self.peek()
        if token in {("op", "=="), ("op", "!=")}:
            self.take()
            equal = _equal(value, self.unary())
            return equal if token == ("op", "==") else not equal
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not _truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if (kind, text) == ("op", "("):
            value = self.either()
            self.take(")")
            return value
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text)
        if kind != "name":
            raise RehearsalError(f"expression {self.text!r}: unexpected {text!r}")
        if text in {"true", "false"}:
            return text == "true"
        if text == "null":
            return None
        if self.peek() == ("op", "("):
            self.take()
            self.take(")")
            if text not in self.status:
                raise RehearsalError(f"expression {self.text!r}: function {text}() is not rehearsed")
            return self.status[text]
        if text not in self.context:
            raise RehearsalError(f"expression {self.text!r}: context {text!r} is not rehearsed")
        value: Any = self.context[text]
        while self.peek() in {("op", "."), ("op", "[")}:
            if self.take()[1] == ".":
                key = self.take()[1]
            else:
                key = str(self.primary())
                self.take("]")
            value = value.get(key) if isinstance(value, dict) else None
        return value


def _truthy(value: Any) -> bool:
    return value not in (None, "", 0, False)


def _number(value: Any) -> float:
    """GitHub's conversion to a number: null 0, booleans 1 and 0, strings parsed ('' is 0, else NaN)."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text) if text else 0.0
    except ValueError:
        return float("nan")


def _equal(left: Any, right: Any) -> bool:
    """GitHub's loose equality: same types compare as they are (strings ignoring case), others as numbers."""
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if type(left) is type(right) and not isinstance(left, str):
        return bool(left == right)
    return _number(left) == _number(right)


def evaluate(text: str, context: dict[str, Any], status: dict[str, bool] | None = None) -> Any:
    """The value of one expression (the text inside ``${{ }}``)."""
    return _Parser(text, context, status or {}).parse()


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def substitute(text: str, context: dict[str, Any]) -> str:
    """``text`` with every ``${{ expression }}`` replaced by its value."""
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _as_text(evaluate(m.group(1), context)), text)


# -- the job ---------------------------------------------------------------------------------------------------


def _read_pairs(path: Path) -> dict[str, str]:
    """``key=value`` lines and ``key<<DELIMITER`` blocks, as in GITHUB_OUTPUT and GITHUB_ENV."""
    pairs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    at = 0
    while at < len(lines):
        line = lines[at]
        at += 1
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            block = []
            while at < len(lines) and lines[at] != delimiter:
                block.append(lines[at])
                at += 1
            at += 1
            pairs[key] = "\n".join(block)
        elif "=" in line:
            key, value = line.split("=", 1)
            pairs[key] = value
    return pairs


def run_job(
    workflow: Path,
    job: str,
    workspace: Path,
    *,
    github: dict[str, Any],
    inputs: dict[str, str],
    secrets: dict[str, str],
    env: dict[str, str],
    runner_temp: Path,
    actions: Mapping[str, Callable[[dict[str, str]], None]] | None = None,
) -> JobResult:
    """Run ``job``'s steps from ``workflow`` in ``workspace``; ``env`` is the runner's own environment.

    ``actions`` stands in for actions the rehearsal cannot run (a publish to PyPI): each is called with the
    step's ``with:`` (expressions evaluated), and the step fails if it raises.
    """
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    spec = data["jobs"][job]
    runner_temp.mkdir(parents=True, exist_ok=True)
    defaults = {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": str(github["repository"]),
        "GITHUB_SERVER_URL": str(github["server_url"]),
        "GITHUB_RUN_ID": str(github["run_id"]),
        "GITHUB_REF": f"refs/heads/{github['ref_name']}",
        "GITHUB_REF_NAME": str(github["ref_name"]),
        "GITHUB_EVENT_NAME": str(github["event_name"]),
        "GITHUB_JOB": job,
        "RUNNER_OS": "Linux",
        "RUNNER_TEMP": str(runner_temp),
    }
    context: dict[str, Any] = {"github": github, "inputs": inputs, "secrets": secrets, "steps": {}, "env": {}}
    job_env = {**_env(data.get("env"), context), **_env(spec.get("env"), context)}
    base = {**env, **defaults, **job_env}
    timeout = float(spec.get("timeout-minutes", 360)) * 60
    results: list[StepResult] = []
    failed = False
    summary: list[str] = []
    for index, step in enumerate(spec["steps"]):
        name = str(step.get("name") or step.get("uses") or step.get("run", "").splitlines()[0])
        step_id = str(step.get("id", f"step{index}"))
        context["env"] = dict(base)
        condition = str(step.get("if", "success()")).strip()
        condition = condition[3:-2] if condition.startswith("${{") else condition
        status = {"always": True, "success": not failed, "failure": failed, "cancelled": False}
        if not _truthy(evaluate(condition, context, status)):
            results.append(StepResult(name, step_id, ran=False))
            continue
        if "uses" in step:
            action = str(step["uses"]).split("@")[0]
            if actions and action in actions:
                given = {str(k): _as_text(v) if isinstance(v, bool) else substitute(str(v), context)
                         for k, v in dict(step.get("with") or {}).items()}  # fmt: skip
                try:
                    actions[action](given)
                    returncode, log = 0, f"{action}: done by the rehearsal's stand-in"
                except Exception as exc:
                    returncode, log = 1, f"{action}: {exc}"
                results.append(StepResult(name, step_id, True, returncode, {}, log))
                failed = failed or returncode != 0
                continue
            if action not in PROVIDED:
                raise RehearsalError(
                    f"{workflow.name}: step {name!r} uses {action}, which the rehearsal cannot provide"
                )
            results.append(StepResult(name, step_id, ran=False))
            continue
        if step.get("shell", "bash") != "bash" or "working-directory" in step:
            raise RehearsalError(f"{workflow.name}: step {name!r}: only bash in the workspace is rehearsed")
        files = {key: runner_temp / f"{index}.{key.lower()}" for key in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
        files |= {key: runner_temp / f"{index}.{key.lower()}" for key in ("GITHUB_ENV", "GITHUB_PATH")}
        for path in files.values():
            path.write_text("", encoding="utf-8")
        script = runner_temp / f"{index}.sh"
        script.write_text(substitute(str(step["run"]), context), encoding="utf-8")
        step_env = {**base, **_env(step.get("env"), context), **{key: str(path) for key, path in files.items()}}
        limit = float(step.get("timeout-minutes", timeout / 60)) * 60
        try:
            done = subprocess.run(
                ["bash", "-e", str(script)],
                cwd=workspace,
                env=step_env,
                capture_output=True,
                text=True,
                timeout=limit,
                check=False,
            )
            returncode, log = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as exc:
            returncode, log = 124, f"{exc.stdout or ''}{exc.stderr or ''}\n(timed out after {limit:g} s)"
        outputs = _read_pairs(files["GITHUB_OUTPUT"])
        context["steps"][step_id] = {
            "outputs": outputs,
            "outcome": "success" if returncode == 0 else "failure",
            "conclusion": "success" if returncode == 0 else "failure",
        }
        summary.append(files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8"))
        base |= _read_pairs(files["GITHUB_ENV"])
        added = files["GITHUB_PATH"].read_text(encoding="utf-8").split()
        if added:
            base["PATH"] = os.pathsep.join([*reversed(added), base.get("PATH", "")])
        results.append(StepResult(name, step_id, True, returncode, outputs, log))
        failed = failed or returncode != 0
    return JobResult(results, "".join(summary), not failed)


def _env(block: Any, context: dict[str, Any]) -> dict[str, str]:
    if not block:
        return {}
    return {
        str(key): _as_text(value) if isinstance(value, bool) else substitute(str(value), context)
        for key, value in dict(block).items()
    }
