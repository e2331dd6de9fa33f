"""Built-in prefill providers; importing a module registers its provider."""
