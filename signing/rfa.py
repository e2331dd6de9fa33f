"""BankID's recommended user messages (RFA1–RFA23) and which one to show for a collect or error.

The Swedish and English texts follow BankID's "Recommended user messages" in the RP guidelines as
closely as we know them; Danish and Arabic are Kanal's own translations. They are plain data here
and will move into gettext catalogues later (the English text then becomes the msgid).

Mapping (BankID RP guidelines, collect hintCodes and error codes):

=========================  =========================================================================
pending/outstandingTransaction  RFA13 if the app was autostarted on this device, otherwise RFA1
pending/noClient                RFA1
pending/started                 RFA14A/B if autostarted, otherwise RFA15A/B (A: computer, B: mobile)
pending/userMrtd                RFA23
pending/userCallConfirm         RFA21 (the guidelines give no dedicated text; the app shows the call)
pending/userSign                RFA9
pending/<unknown>               RFA21
failed/expiredTransaction       RFA8
failed/certificateErr           RFA16
failed/userCancel               RFA6
failed/cancelled                RFA3
failed/startFailed              RFA17A if autostarted/phone, RFA17B if started with a QR code
failed/userDeclinedCall         RFA3
failed/<unknown>                RFA22
error alreadyInProgress         RFA4
error requestTimeout, maintenance, internalError   RFA5
error <other> (invalidParameters, unauthorized, notFound, ...)   RFA22 – an RP-side error that BankID
                                says must not be shown as a BankID error, so the user gets "unknown
                                error, try again".
=========================  =========================================================================
"""

from __future__ import annotations

from typing import Literal

StartedVia = Literal["qr", "autostart", "phone"]
LANGUAGES = ("sv", "en", "da", "ar")
DEFAULT_LANGUAGE = "sv"

_SEARCHING = {
    "sv": "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och inget BankID "
    "har hittats har du sannolikt inget BankID som går att använda för den aktuella identifieringen/"
    "underskriften i den här {device}.",
    "en": "Searching for BankID, it may take a little while … If a few seconds have passed and still no "
    "BankID has been found, you probably don't have a BankID which can be used for this "
    "identification/signing on this {device}.",
    "da": "Søger efter BankID, det kan tage et øjeblik … Hvis der er gået nogle sekunder, og der ikke er "
    "fundet noget BankID, har du sandsynligvis ikke et BankID, der kan bruges til den aktuelle "
    "identifikation/underskrift på denne {device}.",
    "ar": "جارٍ البحث عن BankID، قد يستغرق ذلك بعض الوقت… إذا مرّت بضع ثوانٍ ولم يُعثر على أي BankID، "
    "فعلى الأرجح ليس لديك BankID يمكن استخدامه لعملية تعريف الهوية أو التوقيع الحالية على هذا {device}.",
}
_DEVICE = {
    "computer": {"sv": "datorn", "en": "computer", "da": "computer", "ar": "الحاسوب"},
    "device": {"sv": "enheten", "en": "device", "da": "enhed", "ar": "الجهاز"},
}
_CARD = {
    "sv": "Om du har ett BankID-kort, sätt in det i kortläsaren.",
    "en": "If you have a BankID card, please insert it into your card reader.",
    "da": "Hvis du har et BankID-kort, så sæt det i kortlæseren.",
    "ar": "إذا كانت لديك بطاقة BankID، فأدخلها في قارئ البطاقات.",
}
_GET_ONE = {
    "sv": "Om du inte har något BankID kan du skaffa ett hos din bank.",
    "en": "If you don't have a BankID you can get one from your bank.",
    "da": "Hvis du ikke har et BankID, kan du få et hos din bank.",
    "ar": "إذا لم يكن لديك BankID، يمكنك الحصول على واحد من مصرفك.",
}
_OTHER_DEVICE = {
    "sv": "Om du har ett BankID på en annan enhet kan du starta din BankID-app där.",
    "en": "If you have a BankID on another device you can start the BankID app on that device.",
    "da": "Hvis du har et BankID på en anden enhed, kan du starte din BankID-app der.",
    "ar": "إذا كان لديك BankID على جهاز آخر، يمكنك فتح تطبيق BankID على ذلك الجهاز.",
}


def _searching(lang: str, device: str, card: bool, other_device: bool) -> str:
    parts = [_SEARCHING[lang].format(device=_DEVICE[device][lang])]
    if card:
        parts.append(_CARD[lang])
    parts.append(_GET_ONE[lang])
    if other_device:
        parts.append(_OTHER_DEVICE[lang])
    return " ".join(parts)


RFA_MESSAGES: dict[str, dict[str, str]] = {
    "RFA1": {
        "sv": "Starta BankID-appen.",
        "en": "Start your BankID app.",
        "da": "Start din BankID-app.",
        "ar": "افتح تطبيق BankID.",
    },
    "RFA2": {
        "sv": "Du har inte BankID-appen installerad. Kontakta din bank.",
        "en": "The BankID app is not installed. Please contact your bank.",
        "da": "BankID-appen er ikke installeret. Kontakt din bank.",
        "ar": "تطبيق BankID غير مثبّت لديك. يرجى التواصل مع مصرفك.",
    },
    "RFA3": {
        "sv": "Åtgärden avbruten. Försök igen.",
        "en": "Action cancelled. Please try again.",
        "da": "Handlingen blev afbrudt. Prøv igen.",
        "ar": "أُلغي الإجراء. يرجى المحاولة مرة أخرى.",
    },
    "RFA4": {
        "sv": "En identifiering eller underskrift för det här personnumret är redan påbörjad. Försök igen.",
        "en": "An identification or signing for this personal number is already started. Please try again.",
        "da": "En identifikation eller underskrift for dette personnummer er allerede i gang. Prøv igen.",
        "ar": "هناك عملية تعريف هوية أو توقيع جارية بالفعل لهذا الرقم الشخصي. يرجى المحاولة مرة أخرى.",
    },
    "RFA5": {
        "sv": "Internt tekniskt fel. Försök igen.",
        "en": "Internal error. Please try again.",
        "da": "Intern teknisk fejl. Prøv igen.",
        "ar": "حدث خطأ تقني داخلي. يرجى المحاولة مرة أخرى.",
    },
    "RFA6": {
        "sv": "Åtgärden avbruten.",
        "en": "Action cancelled.",
        "da": "Handlingen blev afbrudt.",
        "ar": "أُلغي الإجراء.",
    },
    "RFA8": {
        "sv": "BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. "
        "Om du inte har något giltigt BankID kan du skaffa ett hos din bank. Försök sedan igen.",
        "en": "The BankID app is not responding. Please check that it's started and that you have internet "
        "access. If you don't have a valid BankID you can get one from your bank. Try again.",
        "da": "BankID-appen svarer ikke. Kontrollér, at den er startet, og at du har internetforbindelse. "
        "Hvis du ikke har et gyldigt BankID, kan du få et hos din bank. Prøv derefter igen.",
        "ar": "تطبيق BankID لا يستجيب. تأكّد من أنه مفتوح ومن أنك متصل بالإنترنت. إذا لم يكن لديك BankID "
        "صالح، يمكنك الحصول على واحد من مصرفك. ثم حاول مرة أخرى.",
    },
    "RFA9": {
        "sv": "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
        "en": "Enter your security code in the BankID app and select Identify or Sign.",
        "da": "Indtast din sikkerhedskode i BankID-appen, og vælg Identificer eller Underskriv.",
        "ar": "أدخل رمز الأمان الخاص بك في تطبيق BankID واختر «تعريف الهوية» أو «التوقيع».",
    },
    "RFA13": {
        "sv": "Försöker starta BankID-appen.",
        "en": "Trying to start your BankID app.",
        "da": "Forsøger at starte BankID-appen.",
        "ar": "جارٍ محاولة فتح تطبيق BankID.",
    },
    "RFA14A": {lang: _searching(lang, "computer", card=True, other_device=True) for lang in LANGUAGES},
    "RFA14B": {lang: _searching(lang, "device", card=False, other_device=True) for lang in LANGUAGES},
    "RFA15A": {lang: _searching(lang, "computer", card=True, other_device=False) for lang in LANGUAGES},
    "RFA15B": {lang: _searching(lang, "device", card=False, other_device=False) for lang in LANGUAGES},
    "RFA16": {
        "sv": "Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat BankID eller "
        "skaffa ett nytt hos din bank.",
        "en": "The BankID you are trying to use is blocked or too old. Please use another BankID or get a "
        "new one from your bank.",
        "da": "Det BankID, du forsøger at bruge, er for gammelt eller spærret. Brug et andet BankID, eller "
        "få et nyt hos din bank.",
        "ar": "الـ BankID الذي تحاول استخدامه قديم جداً أو محظور. استخدم BankID آخر أو احصل على واحد جديد "
        "من مصرفك.",
    },
    "RFA17A": {
        "sv": "BankID-appen verkar inte finnas i din dator eller mobil. Installera den och skaffa ett BankID "
        "hos din bank. Installera appen från din appbutik eller https://install.bankid.com.",
        "en": "The BankID app couldn't be found on your computer or mobile device. Please install it and get "
        "a BankID from your bank. Install the app from your app store or https://install.bankid.com.",
        "da": "BankID-appen ser ikke ud til at være installeret på din computer eller mobil. Installer den, "
        "og få et BankID hos din bank. Installer appen fra din app-butik eller https://install.bankid.com.",
        "ar": "يبدو أن تطبيق BankID غير موجود على حاسوبك أو هاتفك المحمول. ثبّته واحصل على BankID من "
        "مصرفك. ثبّت التطبيق من متجر التطبيقات أو من https://install.bankid.com.",
    },
    "RFA17B": {
        "sv": "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden. Kontrollera att "
        "BankID-appen är uppdaterad. Om du inte har BankID-appen måste du installera den och skaffa ett "
        "BankID hos din bank. Installera appen från din appbutik eller https://install.bankid.com.",
        "en": "Failed to scan the QR code. Start the BankID app and scan the QR code. Check that the BankID "
        "app is up to date. If you don't have the BankID app, you need to install it and get a BankID from "
        "your bank. Install the app from your app store or https://install.bankid.com.",
        "da": "QR-koden kunne ikke scannes. Start BankID-appen, og scan QR-koden. Kontrollér, at "
        "BankID-appen er opdateret. Hvis du ikke har BankID-appen, skal du installere den og få et BankID "
        "hos din bank. Installer appen fra din app-butik eller https://install.bankid.com.",
        "ar": "تعذّرت قراءة رمز QR. افتح تطبيق BankID وامسح رمز QR. تأكّد من أن تطبيق BankID محدَّث. إذا "
        "لم يكن لديك تطبيق BankID، فعليك تثبيته والحصول على BankID من مصرفك. ثبّت التطبيق من متجر "
        "التطبيقات أو من https://install.bankid.com.",
    },
    "RFA18": {
        "sv": "Starta BankID-appen",
        "en": "Start the BankID app",
        "da": "Start BankID-appen",
        "ar": "افتح تطبيق BankID",
    },
    "RFA19": {
        "sv": "Vill du identifiera dig eller skriva under med BankID på den här datorn eller med ett Mobilt "
        "BankID?",
        "en": "Would you like to identify yourself or sign with a BankID on this computer or with a Mobile "
        "BankID?",
        "da": "Vil du identificere dig eller underskrive med BankID på denne computer eller med et Mobilt "
        "BankID?",
        "ar": "هل تريد تعريف هويتك أو التوقيع باستخدام BankID على هذا الحاسوب أم باستخدام BankID على الهاتف "
        "المحمول؟",
    },
    "RFA20": {
        "sv": "Vill du identifiera dig eller skriva under med ett BankID på den här enheten eller med ett "
        "BankID på en annan enhet?",
        "en": "Would you like to identify yourself or sign with a BankID on this device or with a BankID on "
        "another device?",
        "da": "Vil du identificere dig eller underskrive med et BankID på denne enhed eller med et BankID på "
        "en anden enhed?",
        "ar": "هل تريد تعريف هويتك أو التوقيع باستخدام BankID على هذا الجهاز أم باستخدام BankID على "
        "جهاز آخر؟",
    },
    "RFA21": {
        "sv": "Identifiering eller underskrift pågår.",
        "en": "Identification or signing in progress.",
        "da": "Identifikation eller underskrift er i gang.",
        "ar": "عملية تعريف الهوية أو التوقيع جارية.",
    },
    "RFA22": {
        "sv": "Okänt fel. Försök igen.",
        "en": "Unknown error. Please try again.",
        "da": "Ukendt fejl. Prøv igen.",
        "ar": "حدث خطأ غير معروف. يرجى المحاولة مرة أخرى.",
    },
    "RFA23": {
        "sv": "Fotografera och läs av din ID-handling med BankID-appen.",
        "en": "Process your machine readable travel document using the BankID app.",
        "da": "Fotografér og scan dit ID-dokument med BankID-appen.",
        "ar": "صوّر وثيقة هويتك واقرأها باستخدام تطبيق BankID.",
    },
}

_PENDING: dict[str, str] = {
    "noClient": "RFA1",
    "userSign": "RFA9",
    "userMrtd": "RFA23",
    "userCallConfirm": "RFA21",
}
_FAILED: dict[str, str] = {
    "expiredTransaction": "RFA8",
    "certificateErr": "RFA16",
    "userCancel": "RFA6",
    "cancelled": "RFA3",
    "userDeclinedCall": "RFA3",
}
_ERRORS: dict[str, str] = {
    "alreadyInProgress": "RFA4",
    "requestTimeout": "RFA5",
    "maintenance": "RFA5",
    "internalError": "RFA5",
}


def rfa_for(
    status: str | None = None,
    hint_code: str | None = None,
    error_code: str | None = None,
    *,
    started_via: StartedVia = "qr",
    mobile: bool = False,
) -> str:
    """The RFA id to show for a collect result (``status`` + ``hint_code``) or an ``error_code``.

    ``started_via`` says how the resident started the app: ``"autostart"`` (same device, via the
    autostart link), ``"qr"`` (another device) or ``"phone"`` (a phone order). ``mobile`` is whether
    the resident's browser is on a phone or tablet (the A/B variants). A ``complete`` status has no
    message and raises ``ValueError``.
    """
    if error_code is not None:
        return _ERRORS.get(error_code, "RFA22")
    if status == "pending":
        if hint_code == "outstandingTransaction":
            return "RFA13" if started_via == "autostart" else "RFA1"
        if hint_code == "started":
            number = "14" if started_via == "autostart" else "15"
            return f"RFA{number}{'B' if mobile else 'A'}"
        return _PENDING.get(hint_code or "", "RFA21")
    if status == "failed":
        if hint_code == "startFailed":
            return "RFA17B" if started_via == "qr" else "RFA17A"
        return _FAILED.get(hint_code or "", "RFA22")
    if status == "complete":
        raise ValueError("A complete order has no RFA message")
    return "RFA22"


def rfa_message(rfa_id: str, lang: str) -> str:
    """The text of ``rfa_id`` in ``lang`` (``sv``, ``en``, ``da`` or ``ar``), falling back to Swedish.

    A region suffix is ignored (``en-GB`` -> ``en``). Unknown ids raise ``KeyError``.
    """
    messages = RFA_MESSAGES[rfa_id]
    base = lang.replace("_", "-").split("-")[0].lower()
    return messages.get(base) or messages[DEFAULT_LANGUAGE]
