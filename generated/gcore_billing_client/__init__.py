"""A client library for accessing Gcore OpenAPI – Billing Reseller API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
