"""Contains all the data models used in inputs/outputs"""

from .erp_invoice_external import ErpInvoiceExternal
from .paginated_erp_invoice_external_list import PaginatedErpInvoiceExternalList
from .v1_erp_invoices_list_move_type import V1ErpInvoicesListMoveType
from .v1_erp_invoices_list_ordering_item import V1ErpInvoicesListOrderingItem
from .v1_erp_invoices_list_payment_state import V1ErpInvoicesListPaymentState

__all__ = (
    "ErpInvoiceExternal",
    "PaginatedErpInvoiceExternalList",
    "V1ErpInvoicesListMoveType",
    "V1ErpInvoicesListOrderingItem",
    "V1ErpInvoicesListPaymentState",
)
