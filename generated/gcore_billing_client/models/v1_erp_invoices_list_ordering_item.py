from enum import StrEnum


class V1ErpInvoicesListOrderingItem(StrEnum):
    AMOUNT_TOTAL = "amount_total"
    CREATED_AT = "created_at"
    ID = "id"
    INVOICE_DATE = "invoice_date"
    NAME = "name"
    VALUE_0 = "-amount_total"
    VALUE_1 = "-created_at"
    VALUE_2 = "-id"
    VALUE_3 = "-invoice_date"
    VALUE_4 = "-name"

    def __str__(self) -> str:
        return str(self.value)
