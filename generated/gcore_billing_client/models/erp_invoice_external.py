from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ErpInvoiceExternal")


@_attrs_define
class ErpInvoiceExternal:
    """External-facing serializer that excludes internal ERP identifiers."""

    id: int
    name: str
    """ Invoice number, e.g. INV/2026/00001 """
    move_type: str
    """ - `out_invoice` - `out_invoice`
    - `out_refund` - `out_refund` """
    currency: str
    """ Currency code: USD, EUR, etc. """
    invoice_date: datetime.date | None
    invoice_date_due: datetime.date | None
    billing_period_from: datetime.date | None
    billing_period_to: datetime.date | None
    amount_untaxed: str
    """ Amount without tax """
    amount_tax: str
    """ Tax amount """
    amount_total: str
    """ Total amount with tax """
    payment_state: str
    """ - `not_paid` - `not_paid`
    - `paid` - paid
    - `partial` - partial
    - `reversed` - reversed
    - `in_payment` - `in_payment` """
    client_id: int
    """ ID of client in API service """
    payer_id: int
    invoice_id: int | None
    """ Linked billing system invoice """
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        move_type = self.move_type

        currency = self.currency

        invoice_date: None | str
        if isinstance(self.invoice_date, datetime.date):
            invoice_date = self.invoice_date.isoformat()
        else:
            invoice_date = self.invoice_date

        invoice_date_due: None | str
        if isinstance(self.invoice_date_due, datetime.date):
            invoice_date_due = self.invoice_date_due.isoformat()
        else:
            invoice_date_due = self.invoice_date_due

        billing_period_from: None | str
        if isinstance(self.billing_period_from, datetime.date):
            billing_period_from = self.billing_period_from.isoformat()
        else:
            billing_period_from = self.billing_period_from

        billing_period_to: None | str
        if isinstance(self.billing_period_to, datetime.date):
            billing_period_to = self.billing_period_to.isoformat()
        else:
            billing_period_to = self.billing_period_to

        amount_untaxed = self.amount_untaxed

        amount_tax = self.amount_tax

        amount_total = self.amount_total

        payment_state = self.payment_state

        client_id = self.client_id

        payer_id = self.payer_id

        invoice_id: int | None
        invoice_id = self.invoice_id

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "move_type": move_type,
                "currency": currency,
                "invoice_date": invoice_date,
                "invoice_date_due": invoice_date_due,
                "billing_period_from": billing_period_from,
                "billing_period_to": billing_period_to,
                "amount_untaxed": amount_untaxed,
                "amount_tax": amount_tax,
                "amount_total": amount_total,
                "payment_state": payment_state,
                "client_id": client_id,
                "payer_id": payer_id,
                "invoice_id": invoice_id,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        move_type = d.pop("move_type")

        currency = d.pop("currency")

        def _parse_invoice_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                invoice_date_type_0 = datetime.date.fromisoformat(data)

                return invoice_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        invoice_date = _parse_invoice_date(d.pop("invoice_date"))

        def _parse_invoice_date_due(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                invoice_date_due_type_0 = datetime.date.fromisoformat(data)

                return invoice_date_due_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        invoice_date_due = _parse_invoice_date_due(d.pop("invoice_date_due"))

        def _parse_billing_period_from(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                billing_period_from_type_0 = datetime.date.fromisoformat(data)

                return billing_period_from_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        billing_period_from = _parse_billing_period_from(d.pop("billing_period_from"))

        def _parse_billing_period_to(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                billing_period_to_type_0 = datetime.date.fromisoformat(data)

                return billing_period_to_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        billing_period_to = _parse_billing_period_to(d.pop("billing_period_to"))

        amount_untaxed = d.pop("amount_untaxed")

        amount_tax = d.pop("amount_tax")

        amount_total = d.pop("amount_total")

        payment_state = d.pop("payment_state")

        client_id = d.pop("client_id")

        payer_id = d.pop("payer_id")

        def _parse_invoice_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        invoice_id = _parse_invoice_id(d.pop("invoice_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        erp_invoice_external = cls(
            id=id,
            name=name,
            move_type=move_type,
            currency=currency,
            invoice_date=invoice_date,
            invoice_date_due=invoice_date_due,
            billing_period_from=billing_period_from,
            billing_period_to=billing_period_to,
            amount_untaxed=amount_untaxed,
            amount_tax=amount_tax,
            amount_total=amount_total,
            payment_state=payment_state,
            client_id=client_id,
            payer_id=payer_id,
            invoice_id=invoice_id,
            created_at=created_at,
            updated_at=updated_at,
        )

        erp_invoice_external.additional_properties = d
        return erp_invoice_external

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
