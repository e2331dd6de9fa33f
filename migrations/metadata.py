"""Every table of every package, gathered for Alembic and the models-versus-migrations test.

Importing the model modules registers their tables on the shared metadata. It lives here, not in core, because
core may not import the other packages.
"""

from __future__ import annotations

import importlib

from core.db import Base

MODEL_MODULES = (
    "core.models",
    "eservices.models",
    "eservices.attachment_models",
    "eservices.api_models",
    "forms.models",
    "signing.models",
    "signing.document_models",
    "contact_center.models",
    "eservices.casework_models",
    "forms.builder_models",
    "eservices.catalogue_models",
    "eservices.signing_models",
    "eservices.easy_read_models",
)

for _module in MODEL_MODULES:
    try:
        importlib.import_module(_module)
    except ModuleNotFoundError as error:
        if error.name != _module:
            raise

metadata = Base.metadata
