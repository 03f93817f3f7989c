"""The domain's vocabulary: statuses, error codes, event topics, actors, merchant flags.

Pure Python at the bottom of the stack (only `config` is lower): every other
layer may import it, and it imports none of them.
"""
