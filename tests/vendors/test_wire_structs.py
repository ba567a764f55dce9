"""The Structs the facade decodes with state the effective spec: held to ``generated/<api>.effective.yaml``.

A Struct (``vendors/<name>/schema.py``) is named after the spec's schema it states and declares the properties
the facade reads.  For each one the spec must say the same: type, null, required or not, bounds, pattern, and
the formats the facade checks (``date``, ``date-time``, ``decimal``).  A property the spec adds as optional is
not this test's business: the Struct skips it while decoding, ``.raw`` keeps it, and the drift job reports it.
A property the facade reads that changes or goes away, or one the spec makes required, fails here, saying what
to change and where.
"""

from __future__ import annotations

import copy
import datetime
import inspect
import types
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec
import pytest

from invoice_clients._model.decoding import CURRENCY, DATE_TIME, DECIMAL, StringRule, rule_of
from invoice_clients.vendors.gcore import schema as gcore_schema
from invoice_clients.vendors.versori import schema as versori_schema
from scripts.manifest import ROOT
from scripts.yamlio import load_yaml

CHECKED_FORMATS = {"date", "date-time", "decimal"}
"""The formats the facade checks; others (``uri``) are not checked, as the property tests' judge does not."""
NAMED_RULES = {rule.pattern or rule.format: name for name, rule in {"DecimalString": DECIMAL, "CurrencyCode": CURRENCY,
               "DateTimeString": DATE_TIME}.items()}  # fmt: skip
VENDORS = {"gcore-billing": gcore_schema, "versori-organisations": versori_schema}


def components(api: str) -> dict[str, Any]:
    spec = load_yaml(ROOT / "generated" / f"{api}.effective.yaml")
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


# -- one wording for both sides -------------------------------------------------------------------------------


def spec_says(schema: dict[str, Any]) -> str:
    """A property's schema in words: ``integer >= 0``, ``string (date) or null``, ``array of Invoice``."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kinds = schema.get("type", "any")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    nullable = "null" in kinds
    (kind,) = [k for k in kinds if k != "null"] or ["any"]
    text = kind
    if kind == "integer":
        text += "".join(
            f" {sign} {schema[key]}" for key, sign in (("minimum", ">="), ("maximum", "<=")) if key in schema
        )
    elif kind == "string":
        if schema.get("format") in CHECKED_FORMATS:
            text += f" ({schema['format']})"
        if "pattern" in schema:
            text += f" matching {schema['pattern']}"
    elif kind == "array":
        text = f"array of {spec_says(schema.get('items', {}))}"
    elif kind == "object" and "additionalProperties" in schema:
        text = f"map of {spec_says(schema['additionalProperties'] or {})}"
    return f"{text} or null" if nullable else text


def struct_says(annotation: Any) -> str:
    """A Struct field's annotation in the same words."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        rule = rule_of(annotation)
        if rule is not None:
            return (
                "string"
                + (f" ({rule.format})" if rule.format else "")
                + (f" matching {rule.pattern}" if rule.pattern else "")
            )
        meta = next(extra for extra in args[1:] if isinstance(extra, msgspec.Meta))
        bounds = ((meta.ge, ">="), (meta.le, "<="))
        return "integer" + "".join(f" {sign} {bound}" for bound, sign in bounds if bound is not None)
    if origin in (Union, types.UnionType):
        kinds = [arg for arg in args if arg not in (type(None), msgspec.UnsetType)]
        (kind,) = kinds
        return f"{struct_says(kind)} or null" if type(None) in args else struct_says(kind)
    if origin is list:
        return f"array of {struct_says(args[0])}"
    if origin is dict:
        return f"map of {struct_says(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return annotation.__name__
    words = {int: "integer", str: "string", bool: "boolean", datetime.date: "string (date)", msgspec.Raw: "any"}
    return words[annotation]


def python_type(schema: dict[str, Any]) -> str:
    """The annotation a Struct field needs to state ``schema`` (what a failure tells the maintainer to write)."""
    if "$ref" in schema:
        return spec_says(schema)
    text = spec_says(schema)
    base = text.removesuffix(" or null")
    if base.startswith("integer"):
        bounds = {"minimum": "ge", "maximum": "le"}
        meta = ", ".join(f"{bounds[key]}={schema[key]}" for key in bounds if key in schema)
        named = {f"ge={-(2**31)}, le={2**31 - 1}": "Int32", "ge=0": "NonNegative", "": "int"}
        python = named.get(meta, f"Annotated[int, Meta({meta})]")
    elif base == "string (date)":
        python = "datetime.date"
    elif base.startswith("string") and (schema.get("pattern") or schema.get("format")) in NAMED_RULES:
        python = NAMED_RULES[schema.get("pattern") or schema.get("format")]
    elif base.startswith("string"):
        python = "str" if base == "string" else f"Annotated[str, StringRule(...)]  # {base}"
    elif base.startswith("array of "):
        python = f"list[{python_type(schema['items'])}]"
    elif base.startswith("map of "):
        python = f"dict[str, {python_type(schema['additionalProperties'] or {})}]"
    else:
        python = {"boolean": "bool", "any": "msgspec.Raw"}[base]
    return f"{python} | None" if text.endswith(" or null") else python


def declaration(attribute: str, wire_name: str, schema: dict[str, Any], required: bool) -> str:
    """The line that declares a field stating ``schema``."""
    python = python_type(schema) if required else f"{python_type(schema)} | UnsetType"
    if attribute == wire_name:
        return f"{attribute}: {python}" + ("" if required else " = UNSET")
    default = "" if required else ", default=UNSET"
    return f'{attribute}: {python} = field(name="{wire_name}"{default})'


# -- the comparison -------------------------------------------------------------------------------------------


def problems(
    module: types.ModuleType, api: str, specs: dict[str, Any], name: str, seen: set[str] | None = None
) -> list[str]:
    """What a maintainer must change so that Struct ``name`` of ``module`` states schema ``name`` of ``specs``
    (and the Structs of the schemas it refers to, each once)."""
    seen = set() if seen is None else seen
    seen.add(name)
    struct = getattr(module, name)
    schema = specs[name]
    where = f"{inspect.getsourcefile(module)}: {name}".replace(str(ROOT) + "/", "")
    spec_at = f"generated/{api}.effective.yaml, components.schemas.{name}"
    required = set(schema.get("required", ()))
    declared = {info.encode_name: info for info in msgspec.structs.fields(struct)}
    found: list[str] = []
    for wire_name, info in declared.items():
        prop = schema.get("properties", {}).get(wire_name)
        if prop is None:
            found.append(
                f"{where}.{info.name}: {spec_at} no longer has {wire_name!r}: remove the field, and what reads it"
            )
            continue
        says, has = spec_says(prop), struct_says(info.type)
        is_required = info.default is msgspec.NODEFAULT and info.default_factory is msgspec.NODEFAULT
        if says != has or (wire_name in required) != is_required:
            wanted = "required" if wire_name in required else "optional"
            found.append(
                f"{where}.{info.name}: {spec_at}.properties.{wire_name} is {says}, {wanted}; the Struct says {has}, "
                f"{'required' if is_required else 'optional'}: "
                f"write `{declaration(info.name, wire_name, prop, wire_name in required)}`"
            )
        inner = spec_says(prop).removeprefix("array of ").removesuffix(" or null")
        if inner in specs and inner not in seen and hasattr(module, inner):
            found += problems(module, api, specs, inner, seen)
    for wire_name in sorted(required - set(declared)):
        found.append(
            f"{where}: {spec_at} requires {wire_name!r}, which the Struct does not declare (a body without it would "
            f"decode, and its .raw fail): "
            f"add `{declaration(wire_name, wire_name, schema['properties'][wire_name], True)}`"
        )
    return found


ROOTS = [("gcore-billing", "PaginatedErpInvoiceExternalList"), ("versori-organisations", "Invoice")]
"""The body of each decoded response, whence every Struct is reached (a retrieve is one ``ErpInvoiceExternal``)."""


@pytest.mark.parametrize(("api", "name"), ROOTS)
def test_each_struct_states_its_schema_in_the_effective_spec(api: str, name: str) -> None:
    assert problems(VENDORS[api], api, components(api), name) == []


def test_every_struct_is_held_to_the_spec() -> None:
    for api, module in VENDORS.items():
        seen: set[str] = set()
        for root_api, root in ROOTS:
            if root_api == api:
                problems(module, api, components(api), root, seen)
        assert set(module.__all__) == seen, f"{module.__name__} has a Struct the holding does not reach"


# -- what upstream may change ---------------------------------------------------------------------------------


def _changed(api: str, name: str, change: Any) -> list[str]:
    """What the holding finds after ``change`` to schema ``name`` of ``api``'s effective spec."""
    specs = copy.deepcopy(components(api))
    change(specs[name])
    return [
        problem for root_api, root in ROOTS if root_api == api for problem in problems(VENDORS[api], api, specs, root)
    ]


def test_an_optional_property_the_spec_adds_is_the_drift_jobs_to_report() -> None:
    def added(schema: dict[str, Any]) -> None:
        schema["properties"]["archived_at"] = {"type": ["string", "null"], "format": "date-time"}
        schema["properties"]["tags"] = {"type": "array", "items": {"type": "string"}}

    assert _changed("gcore-billing", "ErpInvoiceExternal", added) == []
    assert _changed("versori-organisations", "MonetaryValue", added) == []


def test_a_new_value_of_a_string_the_facade_keeps_as_is_is_no_change() -> None:
    def enumerated(schema: dict[str, Any]) -> None:
        schema["properties"]["payment_state"]["enum"] = ["not_paid", "paid", "brand_new"]

    assert _changed("gcore-billing", "ErpInvoiceExternal", enumerated) == []


def test_a_property_made_required_fails_saying_what_to_write() -> None:
    def required(schema: dict[str, Any]) -> None:
        schema["required"].append("productBreakdowns")

    assert _changed("versori-organisations", "Invoice", required) == [
        "src/invoice_clients/vendors/versori/schema.py: Invoice.product_breakdowns: generated/versori-organisations."
        "effective.yaml, components.schemas.Invoice.properties.productBreakdowns is array of ProductBreakdown, "
        "required; the Struct says array of ProductBreakdown, optional: write `product_breakdowns: "
        'list[ProductBreakdown] = field(name="productBreakdowns")`'
    ]


def test_a_type_the_facade_reads_that_changes_fails_saying_what_to_write() -> None:
    def changed(schema: dict[str, Any]) -> None:
        schema["properties"]["client_id"]["minimum"] = 0
        schema["properties"]["invoice_date"]["format"] = "date-time"
        schema["properties"]["amount_tax"]["pattern"] = r"^\d+$"

    found = _changed("gcore-billing", "ErpInvoiceExternal", changed)
    spec = "generated/gcore-billing.effective.yaml, components.schemas.ErpInvoiceExternal.properties"
    where = "src/invoice_clients/vendors/gcore/schema.py: ErpInvoiceExternal"
    assert found == [
        f"{where}.invoice_date: {spec}.invoice_date is string (date-time) or null, required; the Struct says string "
        "(date) or null, required: write `invoice_date: DateTimeString | None`",
        f"{where}.amount_tax: {spec}.amount_tax is string (decimal) matching ^\\d+$, required; the Struct says string "
        "(decimal) matching ^-?\\d+(\\.\\d+)?$, required: write `amount_tax: Annotated[str, StringRule(...)]  # "
        "string (decimal) matching ^\\d+$`",
        f"{where}.client_id: {spec}.client_id is integer >= 0 <= 2147483647, required; the Struct says integer >= "
        "-2147483648 <= 2147483647, required: write `client_id: Annotated[int, Meta(ge=0, le=2147483647)]`",
    ]


def test_a_property_the_facade_reads_that_goes_away_fails_saying_so() -> None:
    def removed(schema: dict[str, Any]) -> None:
        del schema["properties"]["payer_id"]
        schema["required"].remove("payer_id")

    assert _changed("gcore-billing", "ErpInvoiceExternal", removed) == [
        "src/invoice_clients/vendors/gcore/schema.py: ErpInvoiceExternal.payer_id: generated/gcore-billing."
        "effective.yaml, components.schemas.ErpInvoiceExternal no longer has 'payer_id': remove the field, and what "
        "reads it"
    ]


def test_a_required_property_the_spec_adds_fails_saying_what_to_add() -> None:
    def added(schema: dict[str, Any]) -> None:
        schema["properties"]["partner_id"] = {"type": "integer", "minimum": 1}
        schema["required"].append("partner_id")

    assert _changed("gcore-billing", "ErpInvoiceExternal", added) == [
        "src/invoice_clients/vendors/gcore/schema.py: ErpInvoiceExternal: generated/gcore-billing.effective.yaml, "
        "components.schemas.ErpInvoiceExternal requires 'partner_id', which the Struct does not declare (a body "
        "without it would decode, and its .raw fail): add `partner_id: Annotated[int, Meta(ge=1)]`"
    ]


def test_the_string_rules_state_the_spec_they_check() -> None:
    assert isinstance(DECIMAL, StringRule)
    specs = components("gcore-billing")["ErpInvoiceExternal"]["properties"]
    assert (DECIMAL.pattern, DECIMAL.format) == (specs["amount_total"]["pattern"], specs["amount_total"]["format"])
    assert CURRENCY.pattern == specs["currency"]["pattern"]
    assert DATE_TIME.format == specs["created_at"]["format"]
    versori = components("versori-organisations")["MonetaryValue"]["properties"]
    assert CURRENCY.pattern == versori["currencyCode"]["pattern"]
