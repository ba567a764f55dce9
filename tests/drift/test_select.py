"""Selection: the manifest's operations and what they reference, transitively; nothing else."""

from __future__ import annotations

from scripts.manifest import load_manifest
from scripts.specdiff import compare
from scripts.specselect import dangling_refs, find_operations, select

from .upstream import aggregated_gcore, aggregated_versori, gcore, versori

GCORE_OPS = load_manifest().select("gcore-billing")[0].operations
VERSORI_OPS = load_manifest().select("versori-organisations")[0].operations


def test_the_aggregated_gcore_document_selects_to_the_vendored_operations() -> None:
    whole = aggregated_gcore()
    assert len(find_operations(whole)) == 3 + 32
    selected = select(whole, GCORE_OPS)
    vendored = select(gcore(), GCORE_OPS)
    assert set(find_operations(selected)) == set(GCORE_OPS)
    # Exactly the vendored selection: none of the other resources' schemas, and the scheme named by the
    # top-level requirement is kept while the OAuth scheme only other operations use is not.
    assert set(selected["components"]["schemas"]) == set(vendored["components"]["schemas"])
    assert not set(selected["components"]["schemas"]) & {"Addendum", "PaginatedPlanList", "TrialRequest"}
    assert set(selected["components"]["securitySchemes"]) == {"APIKey"}
    used = {tag for _, _, op in find_operations(selected).values() for tag in op.get("tags", [])}
    assert [tag["name"] for tag in selected["tags"]] == [t["name"] for t in gcore()["tags"] if t["name"] in used]
    assert {tag["name"] for tag in selected["tags"]} <= used
    assert selected["servers"] == gcore()["servers"]
    assert list(selected) == [key for key in whole if key in selected]  # the document's own order
    assert compare(vendored, selected) == []


def test_versori_selection_keeps_shared_components_and_drops_the_others() -> None:
    selected = select(aggregated_versori(), VERSORI_OPS)
    assert list(selected["paths"]) == ["/organisations/{organisation_id}/billing/invoices"]
    components = selected["components"]
    assert set(components["parameters"]) == {"organisation_id", "from", "to"}  # reached from path-level parameters
    assert set(components["schemas"]) == {"Invoice", "Error", "MonetaryValue", "ProductBreakdown"}
    assert "securitySchemes" not in components  # cookieAuth belongs to CreateOrganisation only
    assert [tag["name"] for tag in selected.get("tags", [])] == []  # GetInvoices has no tags
    assert selected == select(versori(), VERSORI_OPS)


def test_an_operation_named_anywhere_in_the_document_is_found_and_order_is_the_documents() -> None:
    document = aggregated_gcore()
    selected = select(document, tuple(reversed(GCORE_OPS)))
    assert list(selected["paths"]) == [path for path in document["paths"] if path.startswith("/billing/org/v1/erp")]
    assert list(selected["components"]["schemas"]) == ["ErpInvoiceExternal", "PaginatedErpInvoiceExternalList"]


def test_an_operation_upstream_lacks_is_absent_not_an_error() -> None:
    document = gcore()
    del document["paths"]["/billing/org/v1/erp-invoices/{id}/download"]
    assert len(find_operations(select(document, GCORE_OPS))) == 2


def test_dangling_refs_are_found() -> None:
    document = versori()
    del document["components"]["schemas"]["MonetaryValue"]
    document["components"]["schemas"]["Invoice"]["properties"]["x"] = {"$ref": "#/paths/~1nowhere/get"}
    assert dangling_refs(select(document, VERSORI_OPS), document) == [
        "#/components/schemas/MonetaryValue",
        "#/paths/~1nowhere/get",
    ]
    assert dangling_refs(versori(), versori()) == []
