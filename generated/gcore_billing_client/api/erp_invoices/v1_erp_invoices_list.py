import datetime
from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.paginated_erp_invoice_external_list import (
    PaginatedErpInvoiceExternalList,
)
from ...models.v1_erp_invoices_list_move_type import V1ErpInvoicesListMoveType
from ...models.v1_erp_invoices_list_ordering_item import V1ErpInvoicesListOrderingItem
from ...models.v1_erp_invoices_list_payment_state import V1ErpInvoicesListPaymentState
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    billing_period_from_from: datetime.date | Unset = UNSET,
    billing_period_to_to: datetime.date | Unset = UNSET,
    client_id: int | Unset = UNSET,
    currency: str | Unset = UNSET,
    invoice_date_from: datetime.date | Unset = UNSET,
    invoice_date_to: datetime.date | Unset = UNSET,
    limit: int | Unset = UNSET,
    move_type: V1ErpInvoicesListMoveType | Unset = UNSET,
    offset: int | Unset = UNSET,
    ordering: list[V1ErpInvoicesListOrderingItem] | Unset = UNSET,
    payer_id: int | Unset = UNSET,
    payment_state: V1ErpInvoicesListPaymentState | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_billing_period_from_from: str | Unset = UNSET
    if not isinstance(billing_period_from_from, Unset):
        json_billing_period_from_from = billing_period_from_from.isoformat()
    params["billing_period_from__from"] = json_billing_period_from_from

    json_billing_period_to_to: str | Unset = UNSET
    if not isinstance(billing_period_to_to, Unset):
        json_billing_period_to_to = billing_period_to_to.isoformat()
    params["billing_period_to__to"] = json_billing_period_to_to

    params["client_id"] = client_id

    params["currency"] = currency

    json_invoice_date_from: str | Unset = UNSET
    if not isinstance(invoice_date_from, Unset):
        json_invoice_date_from = invoice_date_from.isoformat()
    params["invoice_date__from"] = json_invoice_date_from

    json_invoice_date_to: str | Unset = UNSET
    if not isinstance(invoice_date_to, Unset):
        json_invoice_date_to = invoice_date_to.isoformat()
    params["invoice_date__to"] = json_invoice_date_to

    params["limit"] = limit

    json_move_type: str | Unset = UNSET
    if not isinstance(move_type, Unset):
        json_move_type = move_type.value

    params["move_type"] = json_move_type

    params["offset"] = offset

    json_ordering: list[str] | Unset = UNSET
    if not isinstance(ordering, Unset):
        json_ordering = []
        for ordering_item_data in ordering:
            ordering_item = ordering_item_data.value
            json_ordering.append(ordering_item)

    params["ordering"] = json_ordering

    params["payer_id"] = payer_id

    json_payment_state: str | Unset = UNSET
    if not isinstance(payment_state, Unset):
        json_payment_state = payment_state.value

    params["payment_state"] = json_payment_state

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/billing/org/v1/erp-invoices",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | PaginatedErpInvoiceExternalList | None:
    if response.status_code == 200:
        response_200 = PaginatedErpInvoiceExternalList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = cast(Any, None)
        return response_400

    if response.status_code == 401:
        response_401 = cast(Any, None)
        return response_401

    if response.status_code == 403:
        response_403 = cast(Any, None)
        return response_403

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | PaginatedErpInvoiceExternalList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    billing_period_from_from: datetime.date | Unset = UNSET,
    billing_period_to_to: datetime.date | Unset = UNSET,
    client_id: int | Unset = UNSET,
    currency: str | Unset = UNSET,
    invoice_date_from: datetime.date | Unset = UNSET,
    invoice_date_to: datetime.date | Unset = UNSET,
    limit: int | Unset = UNSET,
    move_type: V1ErpInvoicesListMoveType | Unset = UNSET,
    offset: int | Unset = UNSET,
    ordering: list[V1ErpInvoicesListOrderingItem] | Unset = UNSET,
    payer_id: int | Unset = UNSET,
    payment_state: V1ErpInvoicesListPaymentState | Unset = UNSET,
) -> Response[Any | PaginatedErpInvoiceExternalList]:
    """List ERP invoices

     List the reseller's ERP invoices and credit notes, newest first unless `ordering` says otherwise, a
    page at a time (`limit`, at most 100, and `offset`). Filters narrow by invoice date, billing period,
    currency, move type, payment state, client and payer.

    Args:
        billing_period_from_from (datetime.date | Unset):
        billing_period_to_to (datetime.date | Unset):
        client_id (int | Unset):
        currency (str | Unset):
        invoice_date_from (datetime.date | Unset):
        invoice_date_to (datetime.date | Unset):
        limit (int | Unset):
        move_type (V1ErpInvoicesListMoveType | Unset):
        offset (int | Unset):
        ordering (list[V1ErpInvoicesListOrderingItem] | Unset):
        payer_id (int | Unset):
        payment_state (V1ErpInvoicesListPaymentState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PaginatedErpInvoiceExternalList]
    """

    kwargs = _get_kwargs(
        billing_period_from_from=billing_period_from_from,
        billing_period_to_to=billing_period_to_to,
        client_id=client_id,
        currency=currency,
        invoice_date_from=invoice_date_from,
        invoice_date_to=invoice_date_to,
        limit=limit,
        move_type=move_type,
        offset=offset,
        ordering=ordering,
        payer_id=payer_id,
        payment_state=payment_state,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    billing_period_from_from: datetime.date | Unset = UNSET,
    billing_period_to_to: datetime.date | Unset = UNSET,
    client_id: int | Unset = UNSET,
    currency: str | Unset = UNSET,
    invoice_date_from: datetime.date | Unset = UNSET,
    invoice_date_to: datetime.date | Unset = UNSET,
    limit: int | Unset = UNSET,
    move_type: V1ErpInvoicesListMoveType | Unset = UNSET,
    offset: int | Unset = UNSET,
    ordering: list[V1ErpInvoicesListOrderingItem] | Unset = UNSET,
    payer_id: int | Unset = UNSET,
    payment_state: V1ErpInvoicesListPaymentState | Unset = UNSET,
) -> Any | PaginatedErpInvoiceExternalList | None:
    """List ERP invoices

     List the reseller's ERP invoices and credit notes, newest first unless `ordering` says otherwise, a
    page at a time (`limit`, at most 100, and `offset`). Filters narrow by invoice date, billing period,
    currency, move type, payment state, client and payer.

    Args:
        billing_period_from_from (datetime.date | Unset):
        billing_period_to_to (datetime.date | Unset):
        client_id (int | Unset):
        currency (str | Unset):
        invoice_date_from (datetime.date | Unset):
        invoice_date_to (datetime.date | Unset):
        limit (int | Unset):
        move_type (V1ErpInvoicesListMoveType | Unset):
        offset (int | Unset):
        ordering (list[V1ErpInvoicesListOrderingItem] | Unset):
        payer_id (int | Unset):
        payment_state (V1ErpInvoicesListPaymentState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PaginatedErpInvoiceExternalList
    """

    return sync_detailed(
        client=client,
        billing_period_from_from=billing_period_from_from,
        billing_period_to_to=billing_period_to_to,
        client_id=client_id,
        currency=currency,
        invoice_date_from=invoice_date_from,
        invoice_date_to=invoice_date_to,
        limit=limit,
        move_type=move_type,
        offset=offset,
        ordering=ordering,
        payer_id=payer_id,
        payment_state=payment_state,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    billing_period_from_from: datetime.date | Unset = UNSET,
    billing_period_to_to: datetime.date | Unset = UNSET,
    client_id: int | Unset = UNSET,
    currency: str | Unset = UNSET,
    invoice_date_from: datetime.date | Unset = UNSET,
    invoice_date_to: datetime.date | Unset = UNSET,
    limit: int | Unset = UNSET,
    move_type: V1ErpInvoicesListMoveType | Unset = UNSET,
    offset: int | Unset = UNSET,
    ordering: list[V1ErpInvoicesListOrderingItem] | Unset = UNSET,
    payer_id: int | Unset = UNSET,
    payment_state: V1ErpInvoicesListPaymentState | Unset = UNSET,
) -> Response[Any | PaginatedErpInvoiceExternalList]:
    """List ERP invoices

     List the reseller's ERP invoices and credit notes, newest first unless `ordering` says otherwise, a
    page at a time (`limit`, at most 100, and `offset`). Filters narrow by invoice date, billing period,
    currency, move type, payment state, client and payer.

    Args:
        billing_period_from_from (datetime.date | Unset):
        billing_period_to_to (datetime.date | Unset):
        client_id (int | Unset):
        currency (str | Unset):
        invoice_date_from (datetime.date | Unset):
        invoice_date_to (datetime.date | Unset):
        limit (int | Unset):
        move_type (V1ErpInvoicesListMoveType | Unset):
        offset (int | Unset):
        ordering (list[V1ErpInvoicesListOrderingItem] | Unset):
        payer_id (int | Unset):
        payment_state (V1ErpInvoicesListPaymentState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PaginatedErpInvoiceExternalList]
    """

    kwargs = _get_kwargs(
        billing_period_from_from=billing_period_from_from,
        billing_period_to_to=billing_period_to_to,
        client_id=client_id,
        currency=currency,
        invoice_date_from=invoice_date_from,
        invoice_date_to=invoice_date_to,
        limit=limit,
        move_type=move_type,
        offset=offset,
        ordering=ordering,
        payer_id=payer_id,
        payment_state=payment_state,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    billing_period_from_from: datetime.date | Unset = UNSET,
    billing_period_to_to: datetime.date | Unset = UNSET,
    client_id: int | Unset = UNSET,
    currency: str | Unset = UNSET,
    invoice_date_from: datetime.date | Unset = UNSET,
    invoice_date_to: datetime.date | Unset = UNSET,
    limit: int | Unset = UNSET,
    move_type: V1ErpInvoicesListMoveType | Unset = UNSET,
    offset: int | Unset = UNSET,
    ordering: list[V1ErpInvoicesListOrderingItem] | Unset = UNSET,
    payer_id: int | Unset = UNSET,
    payment_state: V1ErpInvoicesListPaymentState | Unset = UNSET,
) -> Any | PaginatedErpInvoiceExternalList | None:
    """List ERP invoices

     List the reseller's ERP invoices and credit notes, newest first unless `ordering` says otherwise, a
    page at a time (`limit`, at most 100, and `offset`). Filters narrow by invoice date, billing period,
    currency, move type, payment state, client and payer.

    Args:
        billing_period_from_from (datetime.date | Unset):
        billing_period_to_to (datetime.date | Unset):
        client_id (int | Unset):
        currency (str | Unset):
        invoice_date_from (datetime.date | Unset):
        invoice_date_to (datetime.date | Unset):
        limit (int | Unset):
        move_type (V1ErpInvoicesListMoveType | Unset):
        offset (int | Unset):
        ordering (list[V1ErpInvoicesListOrderingItem] | Unset):
        payer_id (int | Unset):
        payment_state (V1ErpInvoicesListPaymentState | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PaginatedErpInvoiceExternalList
    """

    return (
        await asyncio_detailed(
            client=client,
            billing_period_from_from=billing_period_from_from,
            billing_period_to_to=billing_period_to_to,
            client_id=client_id,
            currency=currency,
            invoice_date_from=invoice_date_from,
            invoice_date_to=invoice_date_to,
            limit=limit,
            move_type=move_type,
            offset=offset,
            ordering=ordering,
            payer_id=payer_id,
            payment_state=payment_state,
        )
    ).parsed
