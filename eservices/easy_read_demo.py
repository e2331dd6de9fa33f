"""Demo easy-to-read ("lättläst") summaries for a few of Exempelstad's services, in Swedish, English, Danish and
Arabic; `flask seed-demo` adds the missing ones and leaves edited texts alone."""

from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.demo import seeder
from eservices.easy_read_models import EasyReadSummary
from eservices.models import Service

EASY_READ_TEXTS: dict[str, dict[str, str]] = {
    "preschool-placement": {
        "sv": "Förskola är för barn som är 1 till 5 år.\n\n"
        "Du ansöker på internet. Du loggar in med BankID.\n\n"
        "Ansök 4 månader innan barnet ska börja.\n\n"
        "Du får ett brev eller ett meddelande när barnet har fått en plats.",
        "en": "Preschool is for children who are 1 to 5 years old.\n\n"
        "You apply on the internet. You log in with BankID.\n\n"
        "Apply 4 months before your child is to start.\n\n"
        "You get a letter or a message when your child has a place.",
        "da": "Børnehave er for børn, der er 1 til 5 år.\n\n"
        "Du søger på internettet. Du logger ind med BankID.\n\n"
        "Søg 4 måneder før, dit barn skal begynde.\n\n"
        "Du får et brev eller en besked, når dit barn har fået en plads.",
        "ar": "الروضة للأطفال من عمر سنة إلى 5 سنوات.\n\n"
        "تقدّم الطلب عبر الإنترنت. تسجّل الدخول باستخدام BankID.\n\n"
        "قدّم الطلب قبل 4 أشهر من بدء طفلك.\n\n"
        "تصلك رسالة عندما يحصل طفلك على مكان.",
    },
    "home-care": {
        "sv": "Hemtjänst är hjälp i ditt hem.\n\n"
        "Du kan få hjälp att städa, handla eller duscha.\n\n"
        "Du ansöker hos kommunen. En handläggare pratar med dig om vad du behöver.\n\n"
        "Du betalar en avgift varje månad. Avgiften beror på din inkomst.",
        "en": "Home care is help in your home.\n\n"
        "You can get help to clean, shop or shower.\n\n"
        "You apply to the municipality. A case officer talks with you about what you need.\n\n"
        "You pay a fee each month. The fee depends on your income.",
        "da": "Hjemmehjælp er hjælp i dit hjem.\n\n"
        "Du kan få hjælp til at gøre rent, handle eller gå i bad.\n\n"
        "Du søger hos kommunen. En sagsbehandler taler med dig om, hvad du har brug for.\n\n"
        "Du betaler et gebyr hver måned. Gebyret afhænger af din indkomst.",
        "ar": "الرعاية المنزلية هي مساعدة في بيتك.\n\n"
        "يمكنك الحصول على مساعدة في التنظيف أو التسوق أو الاستحمام.\n\n"
        "تقدّم الطلب إلى البلدية. يتحدث معك موظف عمّا تحتاج إليه.\n\n"
        "تدفع رسومًا كل شهر. تعتمد الرسوم على دخلك.",
    },
    "report-street-or-park-fault": {
        "sv": "Har du sett något som är trasigt på gatan eller i parken?\n\n"
        "Det kan vara en lampa, ett hål i gatan eller en trasig bänk.\n\n"
        "Berätta för oss var det är. Du kan skicka en bild.\n\n"
        "Du behöver inte logga in.",
        "en": "Have you seen something broken in the street or in the park?\n\n"
        "It can be a lamp, a hole in the street or a broken bench.\n\n"
        "Tell us where it is. You can send a picture.\n\n"
        "You do not need to log in.",
        "da": "Har du set noget, der er i stykker på gaden eller i parken?\n\n"
        "Det kan være en lampe, et hul i gaden eller en ødelagt bænk.\n\n"
        "Fortæl os, hvor det er. Du kan sende et billede.\n\n"
        "Du behøver ikke at logge ind.",
        "ar": "هل رأيت شيئًا معطّلًا في الشارع أو في الحديقة؟\n\n"
        "قد يكون مصباحًا أو حفرة في الشارع أو مقعدًا مكسورًا.\n\n"
        "أخبرنا أين هو. يمكنك إرسال صورة.\n\n"
        "لا تحتاج إلى تسجيل الدخول.",
    },
}


@seeder(order=27, name="easy-to-read summaries")
def seed_easy_read_summaries() -> list[str]:
    """Add the demo summaries that are missing; a summary an administrator has written is left alone."""
    services = {service.slug: service for service in db.scalars(select(Service))}
    existing = set(db.scalars(select(EasyReadSummary.service_id)))
    added = 0
    for slug, texts in EASY_READ_TEXTS.items():
        service = services.get(slug)
        if service is None or service.id in existing:
            continue
        db.add(EasyReadSummary(service_id=service.id, text=dict(texts)))
        added += 1
    db.flush()
    return [f"Easy-to-read summaries: {added} added."] if added else []
