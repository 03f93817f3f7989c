"""What every GraphQL surface's resolvers stand on, below the Strawberry types.

The request context, the per-request dataloaders and their batch functions,
the global-ID codec, the `node(id:)` registry and page reads. Nothing here
imports `schema`: the types call down into this package, never the reverse.
"""
