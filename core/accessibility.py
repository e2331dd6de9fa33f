"""Accessibility features every page shares: the accessibility statement, display settings and reading support.

The statement (tillgänglighetsredogörelse) follows what the DOS law and DIGG, the supervisory authority, require.
Display settings (text size, contrast) are kept in a cookie, so they are remembered per browser and work without
JavaScript; the "Listen" button is a progressive enhancement on top of the browser's own speech synthesis.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from core import audit, clock
from core.auth import current_staff, require_staff
from core.config import SUPPORTED_LANGUAGES
from core.db import db
from core.i18n import LANGUAGE_NAMES, safe_next_url
from core.models import AccessibilityStatement, Role

DIGG_REPORTING_FORM = "https://www.digg.se/tdosanmalan"
DISPLAY_COOKIE = "kanal_display"
TEXT_SIZES = ("normal", "large", "larger")
CONTRASTS = ("normal", "high")
COMPLIANCE_LEVELS = ("fully", "partly", "not")

blueprint = Blueprint("accessibility", __name__)
admin_blueprint = Blueprint("accessibility_admin", __name__, url_prefix="/admin/accessibility-statement")
admin_blueprint.before_request(require_staff(Role.SYSTEM_ADMIN))

DEFAULT_STATEMENT: dict[str, Any] = {
    "service_name": {
        "sv": "Kanal – e-tjänster och Mina sidor",
        "en": "Kanal – e-services and My pages",
        "da": "Kanal – e-tjenester og Min side",
        "ar": "Kanal – الخدمات الإلكترونية وصفحاتي",
    },
    "compliance": "partly",
    "shortcomings": {
        "sv": "Kvitton och beslut i PDF har titel, språk och rätt läsriktning, men PDF-biblioteket vi använder "
        "(fpdf2) kan inte märka upp rubriker och läsordning (taggad PDF, WCAG 1.3.1). Därför kan du läsa samma "
        "innehåll som en vanlig webbsida på Mina sidor, med länken bredvid varje PDF. Knappen Lyssna använder "
        "webbläsarens egna röster och finns bara där webbläsaren kan läsa upp text; alla webbläsare har inte en "
        "arabisk röst. Lättlästa sammanfattningar finns ännu bara för några tjänster.",
        "en": "Receipts and decisions in PDF have a title, a language and the right reading direction, but the PDF "
        "library we use (fpdf2) cannot tag headings and reading order (tagged PDF, WCAG 1.3.1). You can therefore "
        "read the same content as an ordinary web page on My pages, with the link next to each PDF. The Listen "
        "button uses the browser's own voices and is only shown where the browser can read text aloud; not every "
        "browser has an Arabic voice. Easy-to-read summaries exist for a few services so far.",
        "da": "Kvitteringer og afgørelser i PDF har titel, sprog og den rigtige læseretning, men det PDF-bibliotek vi "
        "bruger (fpdf2), kan ikke tagge overskrifter og læserækkefølge (tagget PDF, WCAG 1.3.1). Derfor kan du læse "
        "det samme indhold som en almindelig webside på Min side via linket ved siden af hver PDF. Knappen Lyt "
        "bruger browserens egne stemmer og vises kun, hvor browseren kan læse tekst op; ikke alle browsere har en "
        "arabisk stemme. Letlæste sammenfatninger findes endnu kun for nogle få tjenester.",
        "ar": "تحمل الإيصالات والقرارات بصيغة PDF عنوانًا ولغة واتجاه قراءة صحيحًا، لكن مكتبة PDF التي نستخدمها "
        "(fpdf2) لا تستطيع وسم العناوين وترتيب القراءة (PDF موسوم، WCAG 1.3.1). لذلك يمكنك قراءة المحتوى نفسه "
        "كصفحة ويب عادية في صفحاتي عبر الرابط بجانب كل ملف PDF. يستخدم زر الاستماع أصوات المتصفح نفسه ولا يظهر إلا "
        "حيث يستطيع المتصفح قراءة النص بصوت عالٍ؛ وليس لكل المتصفحات صوت عربي. الملخصات سهلة القراءة متاحة حتى الآن "
        "لبعض الخدمات فقط.",
    },
    "assessment": {
        "sv": "Vi har granskat tjänsten själva mot WCAG 2.2 nivå AA (EN 301 549). Varje sida och varje steg, även "
        "felmeddelanden, tomma listor, BankID och signering, kontrolleras automatiskt med axe-core på svenska och "
        "arabiska, vid 320 pixlars bredd och vid 200 % textstorlek. Att ansöka, att ansöka åt någon och att bygga "
        "blanketter provas med enbart tangentbord.",
        "en": "We assessed the service ourselves against WCAG 2.2 level AA (EN 301 549). Every page and every step, "
        "including error messages, empty lists, BankID and signing, is checked automatically with axe-core in "
        "Swedish and Arabic, at 320 pixels wide and at 200 % text size. Applying, applying for someone else and "
        "building forms are tested with the keyboard alone.",
        "da": "Vi har selv vurderet tjenesten efter WCAG 2.2 niveau AA (EN 301 549). Hver side og hvert trin, også "
        "fejlmeddelelser, tomme lister, BankID og underskrift, kontrolleres automatisk med axe-core på svensk og "
        "arabisk, i 320 pixels bredde og ved 200 % tekststørrelse. At ansøge, at ansøge for en anden og at bygge "
        "blanketter afprøves kun med tastatur.",
        "ar": "قيّمنا الخدمة بأنفسنا وفق المستوى AA من WCAG 2.2 ‏(EN 301 549). تُفحص كل صفحة وكل خطوة، بما فيها "
        "رسائل الخطأ والقوائم الفارغة وBankID والتوقيع، تلقائيًا باستخدام axe-core باللغتين السويدية والعربية، "
        "وبعرض 320 بكسل وبحجم نص 200٪. ويُختبر تقديم الطلب والتقديم نيابةً عن شخص آخر وبناء النماذج باستخدام "
        "لوحة المفاتيح وحدها.",
    },
    # The date of the assessment this default describes; an administrator updates it with each new one.
    "assessed_on": dt.date(2026, 11, 22),
    "contact_email": "tillganglighet@exempelstad.se",
    "contact_phone": "010-123 45 00",
}


def current_statement() -> AccessibilityStatement:
    """The statement as published, or the built-in default until an administrator has edited it."""
    statement = db.scalar(select(AccessibilityStatement).order_by(AccessibilityStatement.id).limit(1))
    if statement is None:
        statement = AccessibilityStatement(**DEFAULT_STATEMENT, updated_at=clock.now())
    return statement


def compliance_names() -> dict[str, str]:
    return {
        "fully": _("The service is fully compliant with the accessibility requirements."),
        "partly": _("The service is partially compliant with the accessibility requirements."),
        "not": _("The service is not compliant with the accessibility requirements."),
    }


@blueprint.get("/accessibility")
def statement_page() -> str:
    return render_template(
        "accessibility/statement.html",
        statement=current_statement(),
        compliance_text=compliance_names(),
        digg_url=DIGG_REPORTING_FORM,
    )


class DisplaySettingsForm(FlaskForm):
    text_size = RadioField(
        _l("Text size"),
        choices=[("normal", _l("Normal")), ("large", _l("Large")), ("larger", _l("Largest"))],
        default="normal",
    )
    contrast = RadioField(
        _l("Contrast"), choices=[("normal", _l("Normal")), ("high", _l("High contrast"))], default="normal"
    )


def display_settings() -> dict[str, str]:
    """The browser's chosen text size and contrast, read from the cookie (unknown values are ignored)."""
    raw = request.cookies.get(DISPLAY_COOKIE, "")
    size, _sep, contrast = raw.partition(".")
    return {
        "text_size": size if size in TEXT_SIZES else "normal",
        "contrast": contrast if contrast in CONTRASTS else "normal",
    }


@blueprint.route("/display-settings", methods=["GET", "POST"])
def display_settings_page() -> Any:
    form = DisplaySettingsForm(data=display_settings())
    if form.validate_on_submit():
        response = redirect(safe_next_url(request.args.get("next"), "/display-settings"))
        response.set_cookie(
            DISPLAY_COOKIE,
            f"{form.text_size.data}.{form.contrast.data}",
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
        )
        flash(_("Your display settings are saved in this browser."), "success")
        return response
    return render_template("accessibility/display_settings.html", form=form)


class StatementForm(FlaskForm):
    compliance = SelectField(
        _l("Compliance status"),
        choices=[
            ("fully", _l("Fully compliant")),
            ("partly", _l("Partially compliant")),
            ("not", _l("Not compliant")),
        ],
    )
    assessed_on = DateField(_l("Date of the latest assessment"), validators=[Optional()])
    contact_email = EmailField(
        _l("E-mail for reporting problems"),
        validators=[DataRequired(_l("Enter an e-mail address")), Email(_l("Enter a valid e-mail address"))],
    )
    contact_phone = StringField(_l("Phone for reporting problems"), validators=[Length(max=40)])


def _language_fields(prefix: str) -> list[str]:
    return [f"{prefix}_{language}" for language in SUPPORTED_LANGUAGES]


def _statement_form_class() -> type[StatementForm]:
    """The edit form with one text box per language for each translated text."""

    class Form(StatementForm):
        pass

    for language in SUPPORTED_LANGUAGES:
        name = LANGUAGE_NAMES[language]
        setattr(
            Form, f"service_name_{language}", StringField(_l("Service name (%(language)s)", language=name))
        )
        setattr(
            Form,
            f"shortcomings_{language}",
            TextAreaField(_l("Known shortcomings and why (%(language)s)", language=name)),
        )
        setattr(
            Form,
            f"assessment_{language}",
            TextAreaField(_l("How the service was assessed (%(language)s)", language=name)),
        )
    return Form


@admin_blueprint.route("/", methods=["GET", "POST"])
def edit_statement() -> Any:
    statement = current_statement()
    data: dict[str, Any] = {
        "compliance": statement.compliance,
        "assessed_on": statement.assessed_on,
        "contact_email": statement.contact_email,
        "contact_phone": statement.contact_phone,
    }
    for key in ("service_name", "shortcomings", "assessment"):
        for language in SUPPORTED_LANGUAGES:
            data[f"{key}_{language}"] = (getattr(statement, key) or {}).get(language, "")
    form = _statement_form_class()(data=data)
    if form.validate_on_submit():
        staff = current_staff()
        if staff is None:  # pragma: no cover - guaranteed by require_staff
            abort(403)
        if statement.id is None:
            db.add(statement)
        statement.compliance = form.compliance.data or "partly"
        statement.assessed_on = form.assessed_on.data
        statement.contact_email = form.contact_email.data or ""
        statement.contact_phone = form.contact_phone.data or ""
        for key in ("service_name", "shortcomings", "assessment"):
            setattr(
                statement,
                key,
                {language: getattr(form, f"{key}_{language}").data or "" for language in SUPPORTED_LANGUAGES},
            )
        statement.updated_at = clock.now()
        statement.updated_by_id = staff.id
        audit.record(
            "update", "accessibility_statement", statement.id, details={"compliance": statement.compliance}
        )
        flash(_("The accessibility statement is published."), "success")
        return redirect("/accessibility")
    return render_template(
        "accessibility/edit_statement.html",
        form=form,
        languages=[(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES],
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    app.register_blueprint(admin_blueprint)

    @app.context_processor
    def display_context() -> dict[str, Any]:
        settings = display_settings()
        classes = []
        if settings["text_size"] != "normal":
            classes.append(f"text-{settings['text_size']}")
        if settings["contrast"] == "high":
            classes.append("high-contrast")
        return {"display_classes": " ".join(classes)}
