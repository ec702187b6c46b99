"""A sandbox content provider: a small separate web process implementing the provider contract
(docs/provider-contract.md) so that the whole marketplace runs locally over real HTTP."""
