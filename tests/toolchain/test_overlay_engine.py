"""Overlay 1.1 semantics, strictness and error reporting of scripts/overlay.py."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from scripts.documents import parse_overlay
from scripts.errors import ToolchainError
from scripts.overlay import apply_overlay
from scripts.yamlio import load_yaml

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "tags": [{"name": "a"}],
    "paths": {
        "/x": {
            "get": {
                "parameters": [
                    {"name": "p", "schema": {"type": "number"}},
                    {"name": "q", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok"}, "500": {"description": "bad"}},
            }
        }
    },
    "components": {"schemas": {"S": {"required": ["a", "b", "c"], "properties": {"a": {"type": "string"}}}}},
}


def overlay(actions: str) -> Any:
    return parse_overlay(f"overlay: 1.1.0\ninfo: {{title: t, version: '1'}}\nactions:\n{actions}", "test.yaml")


def apply(actions: str, **kwargs: Any) -> Any:
    return apply_overlay(copy.deepcopy(SPEC), overlay(actions), **kwargs)


def test_update_merges_objects_recursively_and_replaces_primitives() -> None:
    result, reports = apply("- target: $.info\n  update: {title: New, contact: {name: me}}\n")
    assert result["info"] == {"title": "New", "version": "1", "contact": {"name": "me"}}
    assert reports[0].status == "applies"


def test_update_concatenates_arrays_and_appends_single_values() -> None:
    result, _ = apply("- target: $.tags\n  update: [{name: b}, {name: c}]\n- target: $.tags\n  update: {name: d}\n")
    assert [tag["name"] for tag in result["tags"]] == ["a", "b", "c", "d"]
    result, _ = apply("- target: $.components.schemas.S\n  update: {required: [d]}\n")
    assert result["components"]["schemas"]["S"]["required"] == ["a", "b", "c", "d"]


def test_update_of_a_primitive_target_replaces_it() -> None:
    result, _ = apply("- target: $.paths['/x'].get.parameters[?@.name == 'p'].schema.type\n  update: integer\n")
    assert result["paths"]["/x"]["get"]["parameters"][0]["schema"] == {"type": "integer"}


def test_remove_deletes_every_match_including_several_array_items() -> None:
    result, _ = apply("- target: $.components.schemas.S.required[?@ != 'b']\n  remove: true\n")
    assert result["components"]["schemas"]["S"]["required"] == ["b"]
    result, _ = apply("- target: $.paths..responses['500']\n  remove: true\n")
    assert list(result["paths"]["/x"]["get"]["responses"]) == ["200"]


def test_copy_merges_the_single_source_node() -> None:
    result, _ = apply("- target: $.paths['/x'].get.responses['500']\n  copy: $.paths['/x'].get.responses['200']\n")
    assert result["paths"]["/x"]["get"]["responses"]["500"] == {"description": "ok"}
    with pytest.raises(ToolchainError, match=r"copy source .* must select exactly one node"):
        apply("- target: $.info\n  copy: $.paths..responses.*\n")


def test_actions_apply_in_order_and_input_is_not_modified() -> None:
    original = copy.deepcopy(SPEC)
    result, _ = apply("- target: $.info\n  update: {title: A}\n- target: $.info.title\n  remove: true\n")
    assert "title" not in result["info"]
    assert original == SPEC


def test_target_matching_nothing_is_an_error_naming_file_line_index_and_target() -> None:
    actions = "- target: $.info\n  update: {x-a: 1}\n- target: $.nothing.here\n  remove: true\n"
    with pytest.raises(ToolchainError) as caught:
        apply(actions, document_name="specs/x.yaml")
    assert str(caught.value) == "test.yaml:6: actions[1]: target $.nothing.here matches nothing in specs/x.yaml"


def test_lenient_mode_follows_the_specification_no_op_rule() -> None:
    result, reports = apply("- target: $.nothing\n  remove: true\n", lenient=True)
    assert result == SPEC
    assert reports[0].status == "no-match"


def test_an_action_that_changes_nothing_is_reported_as_no_op() -> None:
    _, reports = apply("- target: $.info\n  update: {title: t}\n")
    assert reports[0].status == "no-op"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("overlay: 1.1.0\ninfo: {title: t, version: '1'}\nactions: []\n", "'actions' must be a non-empty list"),
        ("openapi: 3.1.0\ninfo: {title: t, version: '1'}\n", "not an Overlay document: no 'overlay' field"),
        ("overlay: 2.0.0\ninfo: {}\nactions: [{target: $}]\n", "unsupported overlay version '2.0.0'"),
        (
            "overlay: 1.1.0\ninfo: {title: t}\nactions:\n- target: info\n  remove: true\n",
            "test.yaml:4: actions[0]: 'target'",
        ),
        ("overlay: 1.1.0\ninfo: {title: t}\nactions:\n- target: $.a\n  remove: true\n  update: {}\n", "exactly one of"),
        ("overlay: 1.1.0\ninfo: {title: t}\nactions:\n- target: $.a\n", "exactly one of"),
        (
            "overlay: 1.1.0\ninfo: {title: t}\nactions:\n- target: $.a\n  remove: yes please\n",
            "'remove' must be true or false",
        ),
        (
            "overlay: 1.1.0\ninfo: {title: t}\nactions:\n  - target: $.a\n    update: {a: 1\n",
            "test.yaml:6:1: malformed YAML",
        ),
    ],
)
def test_invalid_overlay_documents_are_rejected_with_their_place(text: str, message: str) -> None:
    with pytest.raises(ToolchainError, match=r".*") as caught:
        parse_overlay(text, "test.yaml")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_invalid_jsonpath_names_the_action() -> None:
    with pytest.raises(ToolchainError) as caught:
        apply("- target: $.info\n  update: {a: 1}\n- target: $.paths[?@.x ==]\n  remove: true\n")
    assert str(caught.value).startswith("test.yaml:6: actions[1]: invalid JSONPath in target")


def test_cli_writes_yaml_to_stdout_or_file(tmp_path: Path, run_script: Any) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
    over = tmp_path / "overlay.yaml"
    over.write_text(
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n- target: $.info\n  update: {title: New}\n"
    )
    done = run_script("overlay", spec, over)
    assert done.returncode == 0, done.stderr
    assert "title: New" in done.stdout
    out = tmp_path / "out.yaml"
    done = run_script("overlay", spec, over, "-o", out)
    assert done.returncode == 0 and done.stdout == ""
    assert load_yaml(out)["info"]["title"] == "New"


def test_cli_strict_by_default_lenient_on_request(tmp_path: Path, run_script: Any) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n")
    over = tmp_path / "overlay.yaml"
    over.write_text("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n- target: $.servers\n  remove: true\n")
    done = run_script("overlay", spec, over)
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: {over}:4: actions[0]: target $.servers matches nothing in {spec}"
    done = run_script("overlay", spec, over, "--lenient")
    assert done.returncode == 0
    assert "no-match" in done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("openapi: 3.1.0\ninfo: [\n", "spec.yaml:3:1: malformed YAML"),
        ("swagger: '2.0'\ninfo: {}\n", "not an OpenAPI document: no 'openapi' field (Swagger 2.0 is not supported)"),
        ("- just\n- a list\n", "not an OpenAPI document: the top level is not a mapping"),
        ("openapi: 3.1.0\ninfo: {title: t}\n", "no 'paths', 'components' or 'webhooks'"),
    ],
)
def test_cli_rejects_documents_that_are_not_openapi(
    tmp_path: Path, run_script: Any, content: str, message: str
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(content)
    over = tmp_path / "overlay.yaml"
    over.write_text("overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n- target: $.info\n  update: {}\n")
    done = run_script("overlay", spec, over)
    assert done.returncode == 1
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
