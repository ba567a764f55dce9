"""The rehearsal's runner reads expressions and runs steps as GitHub does, and refuses what it cannot rehearse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .workflow import RehearsalError, evaluate, run_job, substitute

CONTEXT: dict[str, Any] = {
    "github": {"token": "t0k", "repository": "o/r"},
    "inputs": {"api": "", "test-args": "-x"},
    "secrets": {},
    "steps": {"drift": {"outputs": {"status": "1"}}},
}


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("secrets.SPEC_DRIFT_TOKEN || github.token", "t0k"),  # an unset secret is empty
        ("secrets.SPEC_DRIFT_TOKEN != ''", False),
        ("inputs.test-args", "-x"),
        ("steps.drift.outputs.status == '1' || steps.drift.outputs.status == '2'", True),
        ("steps.drift.outputs.status == 1", True),  # GitHub compares a string and a number as numbers
        ("steps.missing.outputs.status == ''", True),  # null equals '' (both are 0)
        ("'ABC' == 'abc'", True),  # strings ignore case
        ("!(inputs.api) && 'yes' || 'no'", "yes"),
        ("github['repository']", "o/r"),
    ],
)
def test_expressions_follow_githubs_rules(expression: str, value: Any) -> None:
    assert evaluate(expression, CONTEXT) == value


def test_unknown_contexts_and_functions_are_refused() -> None:
    with pytest.raises(RehearsalError, match="context 'vars' is not rehearsed"):
        evaluate("vars.X", CONTEXT)
    with pytest.raises(RehearsalError, match=r"function hashFiles\(\) is not rehearsed"):
        evaluate("hashFiles()", CONTEXT)
    assert substitute("a ${{ inputs.test-args }} b ${{ secrets.X != '' }}", CONTEXT) == "a -x b false"


def _workflow(tmp_path: Path, steps: str) -> Path:
    path = tmp_path / "w.yml"
    path.write_text(
        f"name: w\non: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    env:\n      A: job\n    steps:\n{steps}"
    )
    return path


def _run(path: Path, tmp_path: Path) -> Any:
    return run_job(
        path,
        "j",
        tmp_path,
        github={
            "repository": "o/r",
            "server_url": "https://github.com",
            "run_id": "1",
            "ref_name": "main",
            "event_name": "push",
        },
        inputs={},
        secrets={},
        env={"PATH": "/usr/bin:/bin"},
        runner_temp=tmp_path / "temp",
    )


def test_steps_share_outputs_summary_and_env_and_a_failure_skips_the_rest(tmp_path: Path) -> None:
    steps = """\
      - id: one
        run: |
          echo "x=1" >> "$GITHUB_OUTPUT"
          echo "B=from-one" >> "$GITHUB_ENV"
          echo "# hello" >> "$GITHUB_STEP_SUMMARY"
      - id: two
        env:
          X: ${{ steps.one.outputs.x }}
        run: |
          test "$X" = 1 && test "$A" = job && test "$B" = from-one && test "$CI" = true
          false
      - id: three
        run: echo never
      - id: four
        if: always()
        run: echo "ran=yes" >> "$GITHUB_OUTPUT"
"""
    result = _run(_workflow(tmp_path, steps), tmp_path)
    assert not result.success
    assert [(step.id, step.ran, step.status) for step in result.steps] == [
        ("one", True, 0),
        ("two", True, 1),
        ("three", False, None),
        ("four", True, 0),
    ]
    assert result.step("four").outputs == {"ran": "yes"} and result.summary == "# hello\n"


def test_an_action_the_rehearsal_cannot_provide_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RehearsalError, match="uses actions/cache, which the rehearsal cannot provide"):
        _run(_workflow(tmp_path, "      - uses: actions/cache@v4\n"), tmp_path)
    with pytest.raises(RehearsalError, match="only bash"):
        _run(_workflow(tmp_path, "      - run: Get-Date\n        shell: pwsh\n"), tmp_path)
