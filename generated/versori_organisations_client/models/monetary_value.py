from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MonetaryValue")


@_attrs_define
class MonetaryValue:
    """MonetaryValue is a monetary value, i.e. £12.50. It is represented as a whole number integral and a fractional part.
    The integral part is the whole number of pounds, dollars, ... and the fractional part is the number of pence, cents,
    ..., in the value. The isNegative property denotes if the value is negative.

    """

    is_negative: bool
    currency_code: str
    """ CurrencyCode is the ISO 4217 currency code for the currency used in the monetary value, i.e. "GBP". """
    integral: int
    """ Integral is the whole number part of the monetary value, i.e. 12 for £12.50. """
    fractional: int
    """ Fractional is the fractional part of the monetary value, i.e. 50 for £12.50. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        is_negative = self.is_negative

        currency_code = self.currency_code

        integral = self.integral

        fractional = self.fractional

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "isNegative": is_negative,
                "currencyCode": currency_code,
                "integral": integral,
                "fractional": fractional,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        is_negative = d.pop("isNegative")

        currency_code = d.pop("currencyCode")

        integral = d.pop("integral")

        fractional = d.pop("fractional")

        monetary_value = cls(
            is_negative=is_negative,
            currency_code=currency_code,
            integral=integral,
            fractional=fractional,
        )

        monetary_value.additional_properties = d
        return monetary_value

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
