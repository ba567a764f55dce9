"""Contains all the data models used in inputs/outputs"""

from .error import Error
from .invoice import Invoice
from .invoice_meta_data import InvoiceMetaData
from .invoice_usage_statistics import InvoiceUsageStatistics
from .monetary_value import MonetaryValue
from .product_breakdown import ProductBreakdown

__all__ = (
    "Error",
    "Invoice",
    "InvoiceMetaData",
    "InvoiceUsageStatistics",
    "MonetaryValue",
    "ProductBreakdown",
)
