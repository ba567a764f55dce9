from enum import StrEnum


class V1ErpInvoicesListMoveType(StrEnum):
    OUT_INVOICE = "out_invoice"
    OUT_REFUND = "out_refund"

    def __str__(self) -> str:
        return str(self.value)
