"""The customer surface's mutations: inputs, payloads and the mutation roots, by domain."""
