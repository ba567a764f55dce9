from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.invoice_meta_data import InvoiceMetaData
    from ..models.invoice_usage_statistics import InvoiceUsageStatistics
    from ..models.monetary_value import MonetaryValue
    from ..models.product_breakdown import ProductBreakdown


T = TypeVar("T", bound="Invoice")


@_attrs_define
class Invoice:
    invoice_start_date: datetime.date
    invoice_end_date: datetime.date
    total_amount: MonetaryValue
    """ MonetaryValue is a monetary value, i.e. £12.50. It is represented as a whole number integral and a
    fractional part. The integral part is the whole number of pounds, dollars, ... and the fractional part is the
    number of pence, cents, ..., in the value. The isNegative property denotes if the value is negative. """
    invoice_url: str
    product_breakdowns: list[ProductBreakdown] | Unset = UNSET
    usage_statistics: InvoiceUsageStatistics | Unset = UNSET
    meta_data: InvoiceMetaData | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        invoice_start_date = self.invoice_start_date.isoformat()

        invoice_end_date = self.invoice_end_date.isoformat()

        total_amount = self.total_amount.to_dict()

        invoice_url = self.invoice_url

        product_breakdowns: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.product_breakdowns, Unset):
            product_breakdowns = []
            for product_breakdowns_item_data in self.product_breakdowns:
                product_breakdowns_item = product_breakdowns_item_data.to_dict()
                product_breakdowns.append(product_breakdowns_item)

        usage_statistics: dict[str, Any] | Unset = UNSET
        if not isinstance(self.usage_statistics, Unset):
            usage_statistics = self.usage_statistics.to_dict()

        meta_data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meta_data, Unset):
            meta_data = self.meta_data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "invoiceStartDate": invoice_start_date,
                "invoiceEndDate": invoice_end_date,
                "totalAmount": total_amount,
                "invoiceURL": invoice_url,
            }
        )
        if product_breakdowns is not UNSET:
            field_dict["productBreakdowns"] = product_breakdowns
        if usage_statistics is not UNSET:
            field_dict["usageStatistics"] = usage_statistics
        if meta_data is not UNSET:
            field_dict["metaData"] = meta_data

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.invoice_meta_data import InvoiceMetaData
        from ..models.invoice_usage_statistics import InvoiceUsageStatistics
        from ..models.monetary_value import MonetaryValue
        from ..models.product_breakdown import ProductBreakdown

        d = dict(src_dict)
        invoice_start_date = datetime.date.fromisoformat(d.pop("invoiceStartDate"))

        invoice_end_date = datetime.date.fromisoformat(d.pop("invoiceEndDate"))

        total_amount = MonetaryValue.from_dict(d.pop("totalAmount"))

        invoice_url = d.pop("invoiceURL")

        _product_breakdowns = d.pop("productBreakdowns", UNSET)
        product_breakdowns: list[ProductBreakdown] | Unset = UNSET
        if _product_breakdowns is not UNSET:
            product_breakdowns = []
            for product_breakdowns_item_data in _product_breakdowns:
                product_breakdowns_item = ProductBreakdown.from_dict(
                    product_breakdowns_item_data
                )

                product_breakdowns.append(product_breakdowns_item)

        _usage_statistics = d.pop("usageStatistics", UNSET)
        usage_statistics: InvoiceUsageStatistics | Unset
        if isinstance(_usage_statistics, Unset):
            usage_statistics = UNSET
        else:
            usage_statistics = InvoiceUsageStatistics.from_dict(_usage_statistics)

        _meta_data = d.pop("metaData", UNSET)
        meta_data: InvoiceMetaData | Unset
        if isinstance(_meta_data, Unset):
            meta_data = UNSET
        else:
            meta_data = InvoiceMetaData.from_dict(_meta_data)

        invoice = cls(
            invoice_start_date=invoice_start_date,
            invoice_end_date=invoice_end_date,
            total_amount=total_amount,
            invoice_url=invoice_url,
            product_breakdowns=product_breakdowns,
            usage_statistics=usage_statistics,
            meta_data=meta_data,
        )

        invoice.additional_properties = d
        return invoice

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
