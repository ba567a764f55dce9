from enum import StrEnum


class V1ErpInvoicesListPaymentState(StrEnum):
    IN_PAYMENT = "in_payment"
    NOT_PAID = "not_paid"
    PAID = "paid"
    PARTIAL = "partial"
    REVERSED = "reversed"

    def __str__(self) -> str:
        return str(self.value)
