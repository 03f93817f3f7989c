"""Thin GraphQL resolvers and the per-request dataloaders."""
