"""The contact centre's web forms (Flask-WTF): lookup, opening a record, contacts, callbacks, phone BankID."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from contact_center.models import AssistedChannel, CallbackOutcome, ContactOutcome, PreferredTime
from contact_center.service import IdentityMethod, InvalidInput, normalise_phone


def channel_choices() -> list[tuple[str, Any]]:
    return [
        (AssistedChannel.PHONE.value, _l("Phone")),
        (AssistedChannel.VISIT.value, _l("Visit at the service centre")),
        (AssistedChannel.LETTER.value, _l("Letter")),
        (AssistedChannel.EMAIL.value, _l("E-mail")),
    ]


def contact_outcome_names() -> dict[str, Any]:
    return {
        ContactOutcome.ANSWERED.value: _l("Answered directly"),
        ContactOutcome.FORWARDED.value: _l("Forwarded"),
        ContactOutcome.CALLBACK_CREATED.value: _l("Callback created"),
        ContactOutcome.ESERVICE_FILED.value: _l("E-service filed"),
        ContactOutcome.GUIDED_TO_ESERVICE.value: _l("Guided to e-service"),
    }


def callback_outcome_names() -> dict[str, Any]:
    return {
        CallbackOutcome.RESOLVED.value: _l("Resolved on the call"),
        CallbackOutcome.NO_ANSWER.value: _l("No answer"),
        CallbackOutcome.FORWARDED.value: _l("Forwarded"),
        CallbackOutcome.GUIDED_TO_ESERVICE.value: _l("Guided to e-service"),
        CallbackOutcome.ESERVICE_FILED.value: _l("E-service filed"),
    }


def preferred_time_names() -> dict[str, Any]:
    return {
        PreferredTime.ANY.value: _l("Any time"),
        PreferredTime.MORNING.value: _l("Morning (8–12)"),
        PreferredTime.AFTERNOON.value: _l("Afternoon (12–17)"),
    }


def language_choices() -> list[tuple[str, str]]:
    # Each language named in itself, as a caller looking for their own would read it.
    return [("sv", "Svenska"), ("en", "English"), ("da", "Dansk"), ("ar", "العربية")]


def _valid_phone(_form: FlaskForm, field: Any) -> None:
    try:
        field.data = normalise_phone(field.data or "")
    except InvalidInput:
        raise ValidationError(_l("Enter a phone number, like 070-123 45 67 or +46 70 123 45 67.")) from None


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a search is a GET that changes nothing

    q = StringField(
        _l("Personnummer, name, phone, e-mail or case reference"),
        validators=[DataRequired(_l("Enter what to search for")), Length(max=200)],
        filters=[_strip],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class OpenRecordForm(FlaskForm):
    reason = StringField(
        _l("Reason for opening the record"),
        description=_l("For example: the resident called about their preschool application."),
        validators=[DataRequired(_l("Give the reason for opening the record")), Length(max=300)],
        filters=[_strip],
    )
    channel = RadioField(
        _l("How did the resident contact us?"),
        choices=channel_choices(),
        default=AssistedChannel.PHONE.value,
        validators=[DataRequired(_l("Choose how the resident contacted us"))],
    )


class ContactForm(FlaskForm):
    channel = RadioField(_l("Channel"), choices=channel_choices(), default=AssistedChannel.PHONE.value)
    service = SelectField(_l("Service"), choices=[], validate_choice=False)
    topic = StringField(
        _l("Topic, if no service fits"), validators=[Optional(), Length(max=200)], filters=[_strip]
    )
    outcome = RadioField(
        _l("Outcome"),
        choices=list(contact_outcome_names().items()),
        validators=[DataRequired(_l("Choose the outcome of the contact"))],
    )
    cases = SelectMultipleField(_l("Linked cases"), choices=[], validate_choice=False, coerce=int)
    note = TextAreaField(_l("Short note"), validators=[Optional(), Length(max=1000)], filters=[_strip])
    started_at = HiddenField()


class GuidanceForm(FlaskForm):
    via = HiddenField(validators=[DataRequired()])
    address = StringField(_l("Send to"), validators=[DataRequired(_l("Enter where to send the link"))])
    service = HiddenField(validators=[DataRequired()])
    channel = HiddenField()
    started_at = HiddenField()


class PhoneBankIDForm(FlaskForm):
    sign_text = TextAreaField(
        _l("Text to sign (leave empty to only identify the resident)"),
        validators=[Optional(), Length(max=1000)],
        filters=[_strip],
    )


def identity_without_signature_choices() -> list[tuple[str, Any]]:
    return [
        (IdentityMethod.ID_DOCUMENT, _l("Identity document shown at the desk")),
        (IdentityMethod.KNOWN_EARLIER, _l("Known from an earlier contact")),
    ]


class PaperSignatureForm(FlaskForm):
    """The resident signed the application on paper: how their identity was checked, and the scanned page."""

    identity_method = RadioField(
        _l("How was the resident's identity verified?"),
        choices=identity_without_signature_choices(),
        default=IdentityMethod.ID_DOCUMENT,
        validators=[DataRequired(_l("Choose how the resident's identity was verified."))],
    )
    signature_page = FileField(
        _l("Scanned signature page"),
        description=_l("The page the resident signed, scanned as PDF, PNG or JPEG, at most 10 MB."),
        validators=[FileRequired(_l("Attach the scanned page the resident signed on paper."))],
    )


class CallbackRequestForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[Optional(), Length(max=200)], filters=[_strip])
    phone = TelField(
        _l("Phone number"),
        validators=[DataRequired(_l("Enter the phone number we should call")), _valid_phone],
        filters=[_strip],
        render_kw={"autocomplete": "tel"},
    )
    email = EmailField(
        _l("E-mail address (optional)"),
        description=_l("We send a short confirmation here when we have called you."),
        validators=[Optional(), Email(_l("Enter an e-mail address like name@example.se."))],
        filters=[_strip],
        render_kw={"autocomplete": "email"},
    )
    preferred_time = RadioField(
        _l("When may we call?"), choices=list(preferred_time_names().items()), default=PreferredTime.ANY.value
    )
    language = SelectField(_l("Language for the call"), choices=language_choices())
    message = TextAreaField(
        _l("What do you need help with? (optional)"),
        validators=[Optional(), Length(max=1000)],
        filters=[_strip],
    )


class AgentCallbackForm(CallbackRequestForm):
    service = SelectField(_l("Service"), choices=[], validate_choice=False)


class CompleteCallbackForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome of the call"),
        choices=list(callback_outcome_names().items()),
        validators=[DataRequired(_l("Choose the outcome of the call"))],
    )
    note = TextAreaField(_l("Short note"), validators=[Optional(), Length(max=1000)], filters=[_strip])


class StatisticsForm(FlaskForm):
    class Meta:
        csrf = False

    month = StringField(_l("Month"), description=_l("As YYYY-MM"), validators=[Optional(), Length(max=7)])
