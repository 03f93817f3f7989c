"""What every GraphQL surface shares: Node, Money, connections, userErrors, enums,
query limits and error logging."""
