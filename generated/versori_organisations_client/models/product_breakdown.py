from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.monetary_value import MonetaryValue


T = TypeVar("T", bound="ProductBreakdown")


@_attrs_define
class ProductBreakdown:
    product_name: str
    quantity: int
    total: MonetaryValue
    """ MonetaryValue is a monetary value, i.e. £12.50. It is represented as a whole number integral and a
    fractional part. The integral part is the whole number of pounds, dollars, ... and the fractional part is the
    number of pence, cents, ..., in the value. The isNegative property denotes if the value is negative. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        product_name = self.product_name

        quantity = self.quantity

        total = self.total.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "productName": product_name,
                "quantity": quantity,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.monetary_value import MonetaryValue

        d = dict(src_dict)
        product_name = d.pop("productName")

        quantity = d.pop("quantity")

        total = MonetaryValue.from_dict(d.pop("total"))

        product_breakdown = cls(
            product_name=product_name,
            quantity=quantity,
            total=total,
        )

        product_breakdown.additional_properties = d
        return product_breakdown

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
