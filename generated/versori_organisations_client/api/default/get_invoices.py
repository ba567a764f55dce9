import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.invoice import Invoice
from ...types import UNSET, Response, Unset


def _get_kwargs(
    organisation_id: str,
    *,
    from_: datetime.date | Unset = UNSET,
    to: datetime.date | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_from_: str | Unset = UNSET
    if not isinstance(from_, Unset):
        json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to: str | Unset = UNSET
    if not isinstance(to, Unset):
        json_to = to.isoformat()
    params["to"] = json_to

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/organisations/{organisation_id}/billing/invoices".format(
            organisation_id=quote(str(organisation_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | list[Invoice]:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = Invoice.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

    response_default = Error.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | list[Invoice]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    organisation_id: str,
    *,
    client: AuthenticatedClient | Client,
    from_: datetime.date | Unset = UNSET,
    to: datetime.date | Unset = UNSET,
) -> Response[Error | list[Invoice]]:
    """Get Invoices

     List the invoices of an organisation as a JSON array (there is no paging).  With neither `from` nor
    `to`, the upcoming invoice is returned.  With only one bound the other is defaulted: `to` to today,
    `from` to one calendar month before `to`.

    Args:
        organisation_id (str):
        from_ (datetime.date | Unset):
        to (datetime.date | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[Invoice]]
    """

    kwargs = _get_kwargs(
        organisation_id=organisation_id,
        from_=from_,
        to=to,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    organisation_id: str,
    *,
    client: AuthenticatedClient | Client,
    from_: datetime.date | Unset = UNSET,
    to: datetime.date | Unset = UNSET,
) -> Error | list[Invoice] | None:
    """Get Invoices

     List the invoices of an organisation as a JSON array (there is no paging).  With neither `from` nor
    `to`, the upcoming invoice is returned.  With only one bound the other is defaulted: `to` to today,
    `from` to one calendar month before `to`.

    Args:
        organisation_id (str):
        from_ (datetime.date | Unset):
        to (datetime.date | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[Invoice]
    """

    return sync_detailed(
        organisation_id=organisation_id,
        client=client,
        from_=from_,
        to=to,
    ).parsed


async def asyncio_detailed(
    organisation_id: str,
    *,
    client: AuthenticatedClient | Client,
    from_: datetime.date | Unset = UNSET,
    to: datetime.date | Unset = UNSET,
) -> Response[Error | list[Invoice]]:
    """Get Invoices

     List the invoices of an organisation as a JSON array (there is no paging).  With neither `from` nor
    `to`, the upcoming invoice is returned.  With only one bound the other is defaulted: `to` to today,
    `from` to one calendar month before `to`.

    Args:
        organisation_id (str):
        from_ (datetime.date | Unset):
        to (datetime.date | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | list[Invoice]]
    """

    kwargs = _get_kwargs(
        organisation_id=organisation_id,
        from_=from_,
        to=to,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organisation_id: str,
    *,
    client: AuthenticatedClient | Client,
    from_: datetime.date | Unset = UNSET,
    to: datetime.date | Unset = UNSET,
) -> Error | list[Invoice] | None:
    """Get Invoices

     List the invoices of an organisation as a JSON array (there is no paging).  With neither `from` nor
    `to`, the upcoming invoice is returned.  With only one bound the other is defaulted: `to` to today,
    `from` to one calendar month before `to`.

    Args:
        organisation_id (str):
        from_ (datetime.date | Unset):
        to (datetime.date | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | list[Invoice]
    """

    return (
        await asyncio_detailed(
            organisation_id=organisation_id,
            client=client,
            from_=from_,
            to=to,
        )
    ).parsed
