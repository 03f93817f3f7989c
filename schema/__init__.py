"""The GraphQL surfaces: Strawberry types, inputs, payloads and their resolvers.

`schema.customer` is the customer surface (`/graphql`); `schema.admin` is the
merchant surface (`/admin/graphql`). Both stand on `schema.common` and on the
`resolvers` package below it, and never import each other.
"""
