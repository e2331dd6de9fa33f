"""The form engine: definitions, versions, logic, validation, prefill and drafts."""
