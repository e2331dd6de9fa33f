"""The public verification page: anyone uploads a PDF and learns whether Kanal issued it and whether it is
unaltered since it was sealed. No login; rate-limited, since validation costs CPU.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize

from core.security import limiter
from signing.documents import service
from signing.documents.service import Verdict, VerdictKind

__all__ = ["MAX_UPLOAD_BYTES", "blueprint"]

MAX_UPLOAD_BYTES = 20 * 1024 * 1024

blueprint = Blueprint("document_verification", __name__, url_prefix="/verify", template_folder="templates")

# Why a file could not be examined, as the message shown next to the upload field.
_UNREADABLE_MESSAGES = {
    VerdictKind.NOT_PDF: _l("The file is not a PDF. Choose the PDF document you got from us."),
    VerdictKind.ENCRYPTED: _l(
        "The PDF is password-protected, so it cannot be checked. Upload the document as you got it from us."
    ),
    VerdictKind.DAMAGED: _l(
        "The PDF is damaged or incomplete, so it cannot be checked. Try downloading it again."
    ),
}


class VerifyForm(FlaskForm):
    document = FileField(
        _l("PDF document"),
        description=_l("The receipt or decision you got from us, as a PDF file of at most 20 MB."),
        validators=[
            FileRequired(_l("Choose the PDF document to check")),
            FileSize(MAX_UPLOAD_BYTES, message=_l("The file must be at most 20 MB")),
        ],
    )


@blueprint.get("/")
def verify_form() -> Any:
    return render_template("signing/verify.html", form=VerifyForm())


@blueprint.post("/")
@limiter.limit("20 per minute")
def verify_upload() -> Any:
    form = VerifyForm()
    if not form.validate_on_submit():
        return render_template("signing/verify.html", form=form), 400
    verdict: Verdict = service.verify_pdf(form.document.data.read())
    if not verdict.readable:
        form.document.errors = [str(_UNREADABLE_MESSAGES[verdict.kind])]
        return render_template("signing/verify.html", form=form), 400
    return render_template("signing/verify_result.html", verdict=verdict, VerdictKind=VerdictKind)
