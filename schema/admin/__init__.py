"""The merchant surface (`/admin/graphql`): API-key callers over the same services.

It shares `schema.common` and `resolvers` with the customer surface and never
imports `schema.customer` (an import-linter independence contract says so).
"""
