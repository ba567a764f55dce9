"""Loaded by Schemathesis (``SCHEMATHESIS_HOOKS``) in the runs :mod:`scripts.schemathesis_gate` starts.

One published hook, ``filter_failure``: a failure that an entry of :mod:`scripts.schemathesis_allowances`
covers is dropped (Schemathesis counts it as filtered), and written as one JSON line to the file named by
``INVOICE_CLIENTS_ST_RECORD``, so the gate can tell which allowances were needed.  The document being
tested is named by ``INVOICE_CLIENTS_ST_API``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

from scripts.schemathesis_allowances import ALLOWANCES

__all__ = ["filter_failure"]

API_VARIABLE = "INVOICE_CLIENTS_ST_API"
RECORD_VARIABLE = "INVOICE_CLIENTS_ST_RECORD"


def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep the failure unless an allowance covers it (then record which one)."""
    api, record = os.environ[API_VARIABLE], os.environ[RECORD_VARIABLE]
    label, query = case.operation.label, case.query
    for allowance in ALLOWANCES:
        if allowance.covers(api, failure.code, label, response.status_code, query):
            line = {"allowance": allowance.name, "operation": label, "status": response.status_code}
            with open(record, "a", encoding="utf-8") as out:
                out.write(json.dumps({**line, "query": {k: str(v) for k, v in (query or {}).items()}}) + "\n")
            return False
    return True


schemathesis.hook(filter_failure)
