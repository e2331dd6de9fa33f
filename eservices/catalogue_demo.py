"""Demo catalogue content for Exempelstad: plain-language details, channels and search words for the 22 demo
services, seven life events with their questionnaires and steps, and the preschool offer rule, in sv/en/da/ar."""
# ruff: noqa: E501 - the texts are prose in four languages; breaking sentences mid-line hurts review

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.db import db
from core.demo import seeder
from eservices import catalogue
from eservices.catalogue_models import LifeEvent, LifeEventQuestion, LifeEventStep, OfferRule, ServiceDetails
from eservices.models import Service

PHONE = "0123-45 60 00"
VISIT_ADDRESS = "Medborgarkontoret, Stora torget 1, 123 45 Exempelstad"
POSTAL_ADDRESS = "Exempelstads kommun, Box 100, 123 45 Exempelstad"
PHONE_HOURS = {
    "sv": "Vardagar 8–17",
    "en": "Weekdays 8 am – 5 pm",
    "da": "Hverdage kl. 8–17",
    "ar": "أيام العمل من 8 إلى 17",
}
OPENING_HOURS = {
    "sv": "Måndag–torsdag 9–16, fredag 9–15",
    "en": "Monday–Thursday 9 am – 4 pm, Friday 9 am – 3 pm",
    "da": "Mandag–torsdag kl. 9–16, fredag kl. 9–15",
    "ar": "من الاثنين إلى الخميس 9–16، الجمعة 9–15",
}
FREE = {"sv": "Kostnadsfritt", "en": "Free of charge", "da": "Gratis", "ar": "مجاني"}


def T(sv: str, en: str, da: str, ar: str) -> dict[str, str]:
    return {"sv": sv, "en": en, "da": da, "ar": ar}


def weeks(low: int, high: int) -> dict[str, str]:
    return T(
        f"Vanligtvis {low}–{high} veckor",
        f"Usually {low}–{high} weeks",
        f"Normalt {low}–{high} uger",
        f"عادةً من {low} إلى {high} أسابيع",
    )


def fee(amount: str) -> dict[str, str]:
    return T(f"{amount} kronor", f"SEK {amount}", f"{amount} svenske kroner", f"{amount} كرونة")


BY_THE_CASE = T(
    "Enligt kommunens taxa; du får veta avgiften innan beslutet",
    "According to the municipality's rates; you are told the fee before the decision",
    "Efter kommunens takster; du får gebyret at vide før afgørelsen",
    "حسب تعرفة البلدية؛ تُبلَّغ بالرسوم قبل القرار",
)
INCOME_BASED = T(
    "Avgiften beror på hushållets inkomst",
    "The fee depends on the household's income",
    "Betalingen afhænger af husstandens indkomst",
    "تعتمد الرسوم على دخل الأسرة",
)
AT_ONCE = T("Handläggs direkt", "Handled straight away", "Behandles med det samme", "تُعالَج فورًا")

# slug: (who can apply, what you need, processing time, cost, synonyms by language, printable form)
DETAILS: dict[
    str, tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str], dict[str, list[str]], bool]
] = {
    "preschool-placement": (
        T(
            "Vårdnadshavare till barn från ett års ålder som bor i kommunen.",
            "Guardians of children from the age of one who live in the municipality.",
            "Forældremyndighedsindehavere til børn fra etårsalderen, der bor i kommunen.",
            "أولياء أمور الأطفال من عمر سنة واحدة المقيمين في البلدية.",
        ),
        T(
            "Barnets personnummer, önskat startdatum och upp till tre önskade förskolor.",
            "The child's personal identity number, the start date you want and up to three preferred preschools.",
            "Barnets personnummer, ønsket startdato og op til tre ønskede børnehaver.",
            "الرقم الشخصي للطفل، وتاريخ البدء المطلوب، وحتى ثلاث روضات مفضلة.",
        ),
        T(
            "Du får en plats inom fyra månader",
            "You are offered a place within four months",
            "Du får en plads inden for fire måneder",
            "يُعرض عليك مكان خلال أربعة أشهر",
        ),
        INCOME_BASED,
        {
            "sv": ["förskoleplats", "dagis", "barnomsorg", "förskoleplacering"],
            "en": ["nursery", "daycare", "kindergarten", "childcare"],
            "da": ["vuggestue", "daginstitution", "pasning"],
            "ar": ["حضانة", "رياض الأطفال", "رعاية الأطفال"],
        },
        True,
    ),
    "leisure-time-centre-placement": (
        T(
            "Vårdnadshavare som arbetar eller studerar, med barn i förskoleklass till årskurs 6.",
            "Guardians who work or study, with children from preschool class to year 6.",
            "Forældre, der arbejder eller studerer, med børn fra børnehaveklasse til 6. klasse.",
            "أولياء الأمور العاملون أو الدارسون ولديهم أطفال من الصف التمهيدي حتى الصف السادس.",
        ),
        T(
            "Barnets personnummer, skola och arbetsgivare eller skola för dig.",
            "The child's personal identity number and school, and your employer or place of study.",
            "Barnets personnummer og skole samt din arbejdsgiver eller uddannelsessted.",
            "الرقم الشخصي للطفل ومدرسته، وجهة عملك أو دراستك.",
        ),
        weeks(2, 4),
        INCOME_BASED,
        {
            "sv": ["fritids", "fritidsplats", "eftis"],
            "en": ["after-school club", "after school care"],
            "da": ["sfo", "fritidshjem"],
            "ar": ["نادي ما بعد المدرسة"],
        },
        False,
    ),
    "change-school": (
        T(
            "Vårdnadshavare till elever i kommunens grundskolor.",
            "Guardians of pupils at the municipality's compulsory schools.",
            "Forældre til elever i kommunens folkeskoler.",
            "أولياء أمور تلاميذ المدارس الأساسية في البلدية.",
        ),
        T(
            "Båda vårdnadshavarnas underskrift och vilken skola ni önskar.",
            "Both guardians' signatures and the school you want.",
            "Begge forældremyndighedsindehaveres underskrift og den ønskede skole.",
            "توقيع وليَّي الأمر كليهما والمدرسة المرغوبة.",
        ),
        weeks(2, 6),
        FREE,
        {
            "sv": ["byta skola", "skolval", "skolplacering"],
            "en": ["school transfer", "school choice"],
            "da": ["skoleskift", "skolevalg"],
            "ar": ["نقل مدرسي", "اختيار المدرسة"],
        },
        False,
    ),
    "school-transport": (
        T(
            "Vårdnadshavare till elever med lång eller trafikfarlig skolväg.",
            "Guardians of pupils with a long or dangerous way to school.",
            "Forældre til elever med lang eller trafikfarlig skolevej.",
            "أولياء أمور التلاميذ الذين طريقهم إلى المدرسة طويل أو خطر.",
        ),
        T(
            "Adress, skola och eventuellt läkarintyg.",
            "Address, school and, if relevant, a medical certificate.",
            "Adresse, skole og eventuelt lægeerklæring.",
            "العنوان والمدرسة وشهادة طبية إن لزم.",
        ),
        weeks(3, 4),
        FREE,
        {
            "sv": ["skolbuss", "skolskjutsar", "resa till skolan"],
            "en": ["school bus"],
            "da": ["skolebus"],
            "ar": ["حافلة المدرسة"],
        },
        False,
    ),
    "home-care": (
        T(
            "Du som bor i kommunen och behöver hjälp i vardagen på grund av ålder, sjukdom eller funktionsnedsättning.",
            "Residents who need help in everyday life because of age, illness or disability.",
            "Borgere, der har brug for hjælp i hverdagen på grund af alder, sygdom eller handicap.",
            "المقيمون الذين يحتاجون إلى مساعدة في الحياة اليومية بسبب السن أو المرض أو الإعاقة.",
        ),
        T(
            "En beskrivning av vad du behöver hjälp med. En biståndshandläggare kontaktar dig.",
            "A description of what you need help with. A needs assessor will contact you.",
            "En beskrivelse af, hvad du har brug for hjælp til. En visitator kontakter dig.",
            "وصف لما تحتاج المساعدة فيه. سيتواصل معك موظف تقييم الاحتياجات.",
        ),
        weeks(2, 3),
        INCOME_BASED,
        {
            "sv": ["hemhjälp", "äldreomsorg", "hjälp hemma", "omsorg"],
            "en": ["home help", "elderly care", "care at home"],
            "da": ["hjemmepleje", "ældrepleje"],
            "ar": ["مساعدة منزلية", "رعاية المسنين"],
        },
        True,
    ),
    "safety-alarm": (
        T(
            "Du som bor hemma och behöver kunna larma om du faller eller blir sjuk.",
            "Residents living at home who need to be able to call for help if they fall or fall ill.",
            "Borgere, der bor hjemme og skal kunne tilkalde hjælp, hvis de falder eller bliver syge.",
            "المقيمون في منازلهم الذين يحتاجون إلى طلب المساعدة إذا سقطوا أو مرضوا.",
        ),
        T(
            "Namn och telefonnummer till två kontaktpersoner.",
            "The names and phone numbers of two contact persons.",
            "Navne og telefonnumre på to kontaktpersoner.",
            "أسماء وأرقام هواتف شخصين للتواصل.",
        ),
        weeks(1, 2),
        fee("250 per månad"),
        {
            "sv": ["larm", "personlarm", "trygghetstelefon"],
            "en": ["personal alarm", "emergency alarm"],
            "da": ["nødkald", "tryghedsalarm"],
            "ar": ["إنذار شخصي"],
        },
        False,
    ),
    "financial-assistance": (
        T(
            "Du som inte kan försörja dig själv eller din familj på annat sätt.",
            "Residents who cannot support themselves or their family in any other way.",
            "Borgere, der ikke kan forsørge sig selv eller deres familie på anden måde.",
            "من لا يستطيع إعالة نفسه أو أسرته بطريقة أخرى.",
        ),
        T(
            "Kontoutdrag, hyresavi och underlag för inkomster och utgifter.",
            "Bank statements, your rent notice and proof of income and costs.",
            "Kontoudtog, huslejeopkrævning og dokumentation for indtægter og udgifter.",
            "كشوف الحساب البنكي وإشعار الإيجار وإثبات الدخل والنفقات.",
        ),
        weeks(1, 2),
        FREE,
        {
            "sv": ["socialbidrag", "försörjningsstöd", "bidrag", "socialen"],
            "en": ["welfare", "benefits", "social assistance"],
            "da": ["kontanthjælp", "økonomisk hjælp"],
            "ar": ["مساعدة اجتماعية", "إعانة"],
        },
        False,
    ),
    "report-concern-about-child": (
        T(
            "Alla som är oroliga för ett barn. Du kan vara anonym.",
            "Anyone who is worried about a child. You can stay anonymous.",
            "Alle, der er bekymrede for et barn. Du kan være anonym.",
            "كل من يقلق بشأن طفل. يمكنك البقاء مجهول الهوية.",
        ),
        T(
            "Vad du har sett eller hört, och barnets namn om du vet det.",
            "What you have seen or heard, and the child's name if you know it.",
            "Hvad du har set eller hørt, og barnets navn, hvis du kender det.",
            "ما رأيته أو سمعته، واسم الطفل إن كنت تعرفه.",
        ),
        AT_ONCE,
        FREE,
        {
            "sv": ["orosanmälning", "anmälan barn", "barn som far illa"],
            "en": ["child protection", "safeguarding"],
            "da": ["underretning", "bekymring for barn"],
            "ar": ["حماية الطفل"],
        },
        False,
    ),
    "transport-service": (
        T(
            "Du som har en varaktig funktionsnedsättning och inte kan åka med vanlig kollektivtrafik.",
            "Residents with a lasting disability who cannot use ordinary public transport.",
            "Borgere med et varigt handicap, som ikke kan bruge almindelig kollektiv trafik.",
            "ذوو الإعاقة الدائمة الذين لا يستطيعون استخدام وسائل النقل العام العادية.",
        ),
        T(
            "Läkarintyg om din funktionsnedsättning.",
            "A medical certificate about your disability.",
            "Lægeerklæring om dit handicap.",
            "شهادة طبية عن إعاقتك.",
        ),
        weeks(3, 6),
        T(
            "Du betalar en egenavgift per resa",
            "You pay a fare for each journey",
            "Du betaler egenbetaling for hver tur",
            "تدفع رسمًا عن كل رحلة",
        ),
        {
            "sv": ["färdtjänsttillstånd", "taxi", "sjukresa"],
            "en": ["paratransit", "dial-a-ride"],
            "da": ["handicapkørsel", "flextrafik"],
            "ar": ["نقل ذوي الإعاقة"],
        },
        True,
    ),
    "building-permit": (
        T(
            "Fastighetsägare eller den som har fastighetsägarens fullmakt.",
            "The owner of the property, or someone with the owner's power of attorney.",
            "Ejendommens ejer eller en person med ejerens fuldmagt.",
            "مالك العقار أو من لديه توكيل من المالك.",
        ),
        T(
            "Situationsplan, ritningar och fasadritningar.",
            "A site plan, floor plans and elevation drawings.",
            "Situationsplan, plantegninger og facadetegninger.",
            "مخطط الموقع والمخططات ورسومات الواجهات.",
        ),
        weeks(4, 10),
        BY_THE_CASE,
        {
            "sv": ["bygga", "tillbyggnad", "bygglovsansökan", "attefallshus", "rivningslov"],
            "en": ["planning permission", "construction permit", "extension"],
            "da": ["byggetilladelse", "tilbygning"],
            "ar": ["رخصة البناء", "توسعة"],
        },
        True,
    ),
    "heat-pump-notification": (
        T(
            "Fastighetsägare som ska installera en bergvärme-, jordvärme- eller sjövärmepump.",
            "Property owners installing a ground-source or lake-source heat pump.",
            "Ejere, der installerer en jordvarme- eller søvarmepumpe.",
            "مالكو العقارات الذين سيركبون مضخة حرارية أرضية أو مائية.",
        ),
        T(
            "Karta med borrhålets placering och uppgifter om pumpen.",
            "A map showing where the borehole goes, and details of the pump.",
            "Kort med borehullets placering og oplysninger om pumpen.",
            "خريطة بموقع البئر وبيانات المضخة.",
        ),
        weeks(2, 4),
        fee("2 400"),
        {
            "sv": ["bergvärme", "jordvärme", "värmepump"],
            "en": ["geothermal", "ground source heat"],
            "da": ["jordvarme", "varmepumpe"],
            "ar": ["تدفئة جوفية"],
        },
        False,
    ),
    "housing-adaptation-grant": (
        T(
            "Du som har en varaktig funktionsnedsättning och behöver anpassa din bostad.",
            "Residents with a lasting disability who need to adapt their home.",
            "Borgere med et varigt handicap, som har brug for at indrette deres bolig.",
            "ذوو الإعاقة الدائمة الذين يحتاجون إلى تعديل مساكنهم.",
        ),
        T(
            "Intyg från arbetsterapeut och fastighetsägarens medgivande.",
            "A statement from an occupational therapist and the property owner's consent.",
            "Erklæring fra ergoterapeut og ejerens samtykke.",
            "إفادة من أخصائي علاج وظيفي وموافقة مالك العقار.",
        ),
        weeks(4, 8),
        FREE,
        {
            "sv": ["bostadsanpassning", "handikappanpassning", "ramp", "trapphiss"],
            "en": ["home adaptation", "accessibility grant"],
            "da": ["boligændring", "boligindretning"],
            "ar": ["تعديل المسكن"],
        },
        False,
    ),
    "waste-collection-subscription": (
        T(
            "Fastighetsägare och bostadsrättsföreningar.",
            "Property owners and housing associations.",
            "Ejendomsejere og andelsboligforeninger.",
            "مالكو العقارات وجمعيات الإسكان.",
        ),
        T(
            "Fastighetsbeteckning och det abonnemang du vill ha.",
            "The property designation and the subscription you want.",
            "Matrikelnummer og det abonnement, du ønsker.",
            "رقم العقار والاشتراك الذي تريده.",
        ),
        weeks(1, 2),
        BY_THE_CASE,
        {
            "sv": ["sophämtning", "sopor", "soptunna", "avfall", "kompost"],
            "en": ["rubbish", "garbage", "bin collection", "trash"],
            "da": ["skrald", "affaldsordning"],
            "ar": ["القمامة", "حاوية النفايات"],
        },
        False,
    ),
    "private-sewage-system": (
        T(
            "Fastighetsägare utan kommunalt avlopp.",
            "Property owners without municipal sewerage.",
            "Ejere uden kommunal kloakering.",
            "مالكو العقارات غير المتصلين بالصرف البلدي.",
        ),
        T(
            "Situationsplan, typ av anläggning och markundersökning.",
            "A site plan, the type of system and a soil survey.",
            "Situationsplan, anlæggets type og jordbundsundersøgelse.",
            "مخطط الموقع ونوع النظام وفحص التربة.",
        ),
        weeks(4, 8),
        fee("7 200"),
        {
            "sv": ["avlopp", "trekammarbrunn", "infiltration", "slamavskiljare"],
            "en": ["septic tank", "sewage"],
            "da": ["spildevand", "septiktank"],
            "ar": ["خزان الصرف"],
        },
        True,
    ),
    "noise-complaint": (
        T(
            "Alla som störs av buller, lukt eller annat där de bor.",
            "Anyone disturbed by noise, smells or other nuisances where they live.",
            "Alle, der generes af støj, lugt eller andet, hvor de bor.",
            "كل من ينزعج من الضوضاء أو الروائح أو غيرها في مكان سكنه.",
        ),
        T(
            "Vad som stör, när och var. Gärna en störningsdagbok.",
            "What disturbs you, when and where. A nuisance diary helps.",
            "Hvad der generer, hvornår og hvor. En støjdagbog hjælper.",
            "ما الذي يزعجك ومتى وأين. يساعد تدوين يوميات الإزعاج.",
        ),
        weeks(1, 3),
        FREE,
        {
            "sv": ["störningar", "oljud", "klagomål", "grannar"],
            "en": ["noise", "nuisance", "neighbours"],
            "da": ["støj", "klage", "naboer"],
            "ar": ["ضوضاء", "شكوى"],
        },
        False,
    ),
    "report-street-or-park-fault": (
        T(
            "Alla som ser ett fel på gator, parker eller belysning.",
            "Anyone who sees a fault in streets, parks or lighting.",
            "Alle, der ser en fejl på veje, i parker eller ved belysning.",
            "كل من يرى عطلًا في الشوارع أو الحدائق أو الإنارة.",
        ),
        T(
            "Var felet finns, gärna med en bild.",
            "Where the fault is, preferably with a photo.",
            "Hvor fejlen er, gerne med et billede.",
            "مكان العطل، ويفضل مع صورة.",
        ),
        AT_ONCE,
        FREE,
        {
            "sv": ["gatlykta", "gatubelysning", "potthål", "trasig", "klotter"],
            "en": ["pothole", "street light", "broken"],
            "da": ["gadelys", "hul i vejen"],
            "ar": ["حفرة", "إنارة الشارع"],
        },
        False,
    ),
    "winter-road-maintenance": (
        T(
            "Alla som har frågor om snöröjning och sandning på kommunens gator.",
            "Anyone with questions about snow clearing and gritting on municipal streets.",
            "Alle med spørgsmål om snerydning og grusning på kommunens veje.",
            "كل من لديه أسئلة عن إزالة الثلوج على شوارع البلدية.",
        ),
        T(
            "Gatuadressen det gäller.",
            "The street address concerned.",
            "Den pågældende adresse.",
            "عنوان الشارع المعني.",
        ),
        T("Inom två arbetsdagar", "Within two working days", "Inden for to arbejdsdage", "خلال يومي عمل"),
        FREE,
        {
            "sv": ["snö", "halka", "sandning", "plogning"],
            "en": ["snow", "ice", "gritting", "ploughing"],
            "da": ["sne", "glat føre", "saltning"],
            "ar": ["ثلج", "جليد"],
        },
        False,
    ),
    "disabled-parking-permit": (
        T(
            "Du som har svårt att gå, som förare eller passagerare.",
            "People who find it hard to walk, as drivers or passengers.",
            "Personer med gangbesvær, som fører eller passager.",
            "من يجد صعوبة في المشي، سائقًا كان أو راكبًا.",
        ),
        T(
            "Läkarintyg och ett foto.",
            "A medical certificate and a photo.",
            "Lægeerklæring og et foto.",
            "شهادة طبية وصورة.",
        ),
        weeks(3, 5),
        FREE,
        {
            "sv": ["p-tillstånd", "handikapparkering", "parkeringskort"],
            "en": ["blue badge", "disabled parking"],
            "da": ["handicapparkering", "parkeringskort"],
            "ar": ["موقف ذوي الإعاقة"],
        },
        True,
    ),
    "use-of-public-space": (
        T(
            "Privatpersoner, föreningar och företag.",
            "Individuals, associations and businesses.",
            "Privatpersoner, foreninger og virksomheder.",
            "الأفراد والجمعيات والشركات.",
        ),
        T(
            "Plats, tid och en skiss över hur platsen ska användas.",
            "Place, time and a sketch of how the space will be used.",
            "Sted, tid og en skitse af, hvordan stedet skal bruges.",
            "المكان والوقت ورسم لطريقة استخدام المكان.",
        ),
        weeks(2, 4),
        BY_THE_CASE,
        {
            "sv": ["markupplåtelse", "evenemang", "torghandel", "container"],
            "en": ["event permit", "street stall"],
            "da": ["råden over vej", "arrangement"],
            "ar": ["تصريح فعالية"],
        },
        False,
    ),
    "register-food-business": (
        T(
            "Företag som ska hantera, sälja eller servera livsmedel.",
            "Businesses that will handle, sell or serve food.",
            "Virksomheder, der skal håndtere, sælge eller servere fødevarer.",
            "الشركات التي ستتعامل مع الأغذية أو تبيعها أو تقدمها.",
        ),
        T(
            "Organisationsnummer, verksamhetens adress och vad ni ska hantera.",
            "The company registration number, the business address and what you will handle.",
            "CVR-nummer, virksomhedens adresse og hvad I skal håndtere.",
            "رقم تسجيل الشركة وعنوانها وما ستتعامل معه.",
        ),
        weeks(2, 3),
        BY_THE_CASE,
        {
            "sv": ["livsmedel", "restaurang", "café", "kiosk", "matförsäljning"],
            "en": ["restaurant", "food premises", "cafe"],
            "da": ["fødevarevirksomhed", "restaurant"],
            "ar": ["مطعم", "منشأة غذائية"],
        },
        False,
    ),
    "alcohol-serving-permit": (
        T(
            "Restauranger och andra serveringsställen.",
            "Restaurants and other places serving food and drink.",
            "Restauranter og andre serveringssteder.",
            "المطاعم وأماكن التقديم الأخرى.",
        ),
        T(
            "Lokalens ritning, kök och kunskapsprov i alkohollagen.",
            "Drawings of the premises and kitchen, and a test on the Alcohol Act.",
            "Tegninger af lokale og køkken samt prøve i alkoholloven.",
            "رسومات المكان والمطبخ واختبار في قانون الكحول.",
        ),
        weeks(6, 10),
        fee("10 000"),
        {
            "sv": ["alkohol", "utskänkning", "serveringstillstånd", "krog"],
            "en": ["liquor licence", "alcohol licence"],
            "da": ["alkoholbevilling", "spiritusbevilling"],
            "ar": ["ترخيص كحول"],
        },
        False,
    ),
    "outdoor-seating": (
        T(
            "Restauranger och caféer som vill servera utomhus på allmän plats.",
            "Restaurants and cafés that want to serve outdoors in a public place.",
            "Restauranter og caféer, der vil servere udendørs på offentligt areal.",
            "المطاعم والمقاهي التي ترغب في التقديم في الهواء الطلق في مكان عام.",
        ),
        T(
            "En skiss över uteserveringen med mått.",
            "A sketch of the seating area with measurements.",
            "En skitse af udeserveringen med mål.",
            "رسم لمنطقة الجلوس مع القياسات.",
        ),
        weeks(2, 4),
        BY_THE_CASE,
        {
            "sv": ["uteservering", "terrass", "servering utomhus"],
            "en": ["terrace", "pavement cafe", "outdoor dining"],
            "da": ["udeservering", "fortovsservering"],
            "ar": ["جلسات خارجية"],
        },
        False,
    ),
}


def _step(
    key: str,
    title: dict[str, str],
    timing: dict[str, str],
    *,
    service: str | None = None,
    external_url: str | None = None,
    agency: dict[str, str] | None = None,
    when: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "timing": timing,
        "service": service,
        "external_url": external_url,
        "agency": agency or {},
        "show_when": when or [],
    }


def _yes(question: str) -> list[dict[str, Any]]:
    return [{"question": question, "in": ["yes"]}]


MUNICIPALITY = T("Exempelstads kommun", "Exempelstad municipality", "Exempelstad kommune", "بلدية إكسمبلستاد")
SKATTEVERKET = T(
    "Skatteverket",
    "the Swedish Tax Agency",
    "Skatteverket (den svenske skattemyndighed)",
    "مصلحة الضرائب السويدية",
)
FORSAKRINGSKASSAN = T(
    "Försäkringskassan",
    "the Swedish Social Insurance Agency",
    "Försäkringskassan (den svenske socialforsikring)",
    "صندوق التأمينات الاجتماعية",
)
BOLAGSVERKET = T(
    "Bolagsverket",
    "the Swedish Companies Registration Office",
    "Bolagsverket (det svenske selskabsregister)",
    "هيئة تسجيل الشركات",
)
BEFORE_MOVING = T(
    "Senast en vecka innan flytten",
    "At least a week before you move",
    "Senest en uge før flytningen",
    "قبل الانتقال بأسبوع على الأقل",
)
WHEN_MOVED = T(
    "Inom en vecka efter flytten",
    "Within a week after moving",
    "Inden for en uge efter flytningen",
    "خلال أسبوع بعد الانتقال",
)
FOUR_MONTHS = T(
    "Fyra månader innan platsen behövs",
    "Four months before you need the place",
    "Fire måneder før, der er brug for pladsen",
    "قبل أربعة أشهر من الحاجة إلى المكان",
)
AT_START = T("Först av allt", "First of all", "Først af alt", "أولًا وقبل كل شيء")
WHEN_NEEDED = T("När behovet uppstår", "When the need arises", "Når behovet opstår", "عند ظهور الحاجة")

LIFE_EVENTS: list[dict[str, Any]] = [
    {
        "slug": "moving-here",
        "title": T(
            "Flytta till kommunen",
            "Moving to the municipality",
            "At flytte til kommunen",
            "الانتقال إلى البلدية",
        ),
        "summary": T(
            "Adressändring, förskola och skola, sophämtning och annat att ordna när du flyttar hit.",
            "Change of address, preschool and school, waste collection and more to arrange when you move here.",
            "Adresseændring, børnehave og skole, affald og andet, du skal ordne, når du flytter hertil.",
            "تغيير العنوان والروضة والمدرسة وجمع النفايات وغيرها مما يجب ترتيبه عند الانتقال إلى هنا.",
        ),
        "questions": [
            {
                "key": "within_municipality",
                "text": T(
                    "Flyttar du inom kommunen?",
                    "Are you moving within the municipality?",
                    "Flytter du inden for kommunen?",
                    "هل تنتقل داخل البلدية؟",
                ),
                "hint": T(
                    "Svara nej om du flyttar hit från en annan kommun.",
                    "Answer no if you are moving here from another municipality.",
                    "Svar nej, hvis du flytter hertil fra en anden kommune.",
                    "أجب بلا إذا كنت تنتقل إلى هنا من بلدية أخرى.",
                ),
            },
            {
                "key": "preschool_children",
                "text": T(
                    "Har du barn som kommer att behöva förskola?",
                    "Do you have children who will need preschool?",
                    "Har du børn, der får brug for børnehave?",
                    "هل لديك أطفال سيحتاجون إلى الروضة؟",
                ),
            },
            {
                "key": "school_children",
                "text": T(
                    "Har du barn i skolåldern?",
                    "Do you have school-age children?",
                    "Har du børn i skolealderen?",
                    "هل لديك أطفال في سن المدرسة؟",
                ),
            },
            {
                "key": "own_house",
                "text": T(
                    "Flyttar du till ett eget hus?",
                    "Are you moving into a house you own?",
                    "Flytter du ind i et hus, du ejer?",
                    "هل تنتقل إلى منزل تملكه؟",
                ),
            },
        ],
        "steps": [
            _step(
                "change_of_address",
                T(
                    "Anmäl flytt till Skatteverket",
                    "Report your move to the Swedish Tax Agency",
                    "Meld flytning til Skatteverket",
                    "أبلغ مصلحة الضرائب بانتقالك",
                ),
                BEFORE_MOVING,
                external_url="https://www.skatteverket.se/privat/folkbokforing/flyttanmalan",
                agency=SKATTEVERKET,
            ),
            _step(
                "preschool",
                T(
                    "Ansök om plats i förskola",
                    "Apply for a preschool place",
                    "Søg om plads i børnehave",
                    "قدّم طلبًا للحصول على مكان في الروضة",
                ),
                FOUR_MONTHS,
                service="preschool-placement",
                agency=MUNICIPALITY,
                when=_yes("preschool_children"),
            ),
            _step(
                "school",
                T(
                    "Ansök om skolplacering eller skolbyte",
                    "Apply for a school place or a change of school",
                    "Søg om skoleplads eller skoleskift",
                    "قدّم طلبًا للحصول على مكان في المدرسة أو تغيير المدرسة",
                ),
                BEFORE_MOVING,
                service="change-school",
                agency=MUNICIPALITY,
                when=_yes("school_children"),
            ),
            _step(
                "school_transport",
                T(
                    "Ansök om skolskjuts om skolvägen är lång",
                    "Apply for school transport if the way to school is long",
                    "Søg om skolekørsel, hvis skolevejen er lang",
                    "اطلب النقل المدرسي إذا كان الطريق إلى المدرسة طويلًا",
                ),
                WHEN_MOVED,
                service="school-transport",
                agency=MUNICIPALITY,
                when=[*_yes("school_children"), {"question": "within_municipality", "in": ["no"]}],
            ),
            _step(
                "waste",
                T(
                    "Teckna avfallsabonnemang",
                    "Set up your waste collection",
                    "Tegn affaldsabonnement",
                    "اشترك في خدمة جمع النفايات",
                ),
                WHEN_MOVED,
                service="waste-collection-subscription",
                agency=MUNICIPALITY,
                when=_yes("own_house"),
            ),
        ],
    },
    {
        "slug": "expecting-a-baby",
        "title": T("Vänta barn", "Expecting a baby", "At vente barn", "انتظار مولود"),
        "summary": T(
            "Föräldrapenning, barnbidrag och förskola – vad du gör före och efter att barnet föds.",
            "Parental benefit, child allowance and preschool – what to do before and after the birth.",
            "Forældrepenge, børnetilskud og børnehave – hvad du gør før og efter fødslen.",
            "إعانة الوالدين وإعانة الطفل والروضة – ما يجب فعله قبل الولادة وبعدها.",
        ),
        "questions": [
            {
                "key": "first_child",
                "text": T(
                    "Är det ert första barn?",
                    "Is this your first child?",
                    "Er det jeres første barn?",
                    "هل هذا طفلكم الأول؟",
                ),
            },
            {
                "key": "need_preschool",
                "text": T(
                    "Kommer ni att behöva förskola när barnet fyller ett?",
                    "Will you need preschool when the child turns one?",
                    "Får I brug for børnehave, når barnet fylder et år?",
                    "هل ستحتاجون إلى الروضة عندما يبلغ الطفل سنة؟",
                ),
            },
        ],
        "steps": [
            _step(
                "parental_benefit",
                T(
                    "Ansök om föräldrapenning",
                    "Apply for parental benefit",
                    "Søg om forældrepenge",
                    "قدّم طلبًا للحصول على إعانة الوالدين",
                ),
                T(
                    "Senast när barnet är fött",
                    "By the time the child is born",
                    "Senest når barnet er født",
                    "عند ولادة الطفل على أبعد تقدير",
                ),
                external_url="https://www.forsakringskassan.se/privatperson/foralder",
                agency=FORSAKRINGSKASSAN,
            ),
            _step(
                "paternity",
                T(
                    "Bekräfta faderskap eller föräldraskap",
                    "Confirm paternity or parenthood",
                    "Bekræft faderskab eller forældreskab",
                    "أكّد الأبوة أو الوالدية",
                ),
                T("Efter födseln", "After the birth", "Efter fødslen", "بعد الولادة"),
                external_url="https://www.skatteverket.se/privat/folkbokforing/fodsel",
                agency=SKATTEVERKET,
                when=_yes("first_child"),
            ),
            _step(
                "preschool",
                T(
                    "Ansök om plats i förskola",
                    "Apply for a preschool place",
                    "Søg om plads i børnehave",
                    "قدّم طلبًا للحصول على مكان في الروضة",
                ),
                FOUR_MONTHS,
                service="preschool-placement",
                agency=MUNICIPALITY,
                when=_yes("need_preschool"),
            ),
        ],
    },
    {
        "slug": "starting-a-business",
        "title": T("Starta företag", "Starting a business", "At starte virksomhed", "بدء عمل تجاري"),
        "summary": T(
            "Registrera företaget och sök de tillstånd kommunen ger.",
            "Register your company and apply for the permits the municipality grants.",
            "Registrér virksomheden, og søg de tilladelser, kommunen giver.",
            "سجّل شركتك واطلب التصاريح التي تمنحها البلدية.",
        ),
        "questions": [
            {
                "key": "food",
                "text": T(
                    "Ska du hantera eller sälja livsmedel?",
                    "Will you handle or sell food?",
                    "Skal du håndtere eller sælge fødevarer?",
                    "هل ستتعامل مع الأغذية أو تبيعها؟",
                ),
            },
            {
                "key": "alcohol",
                "text": T(
                    "Vill du servera alkohol?",
                    "Do you want to serve alcohol?",
                    "Vil du servere alkohol?",
                    "هل تريد تقديم الكحول؟",
                ),
            },
            {
                "key": "outdoors",
                "text": T(
                    "Vill du ha uteservering?",
                    "Do you want outdoor seating?",
                    "Vil du have udeservering?",
                    "هل تريد جلسات خارجية؟",
                ),
            },
        ],
        "steps": [
            _step(
                "register_company",
                T("Registrera företaget", "Register the company", "Registrér virksomheden", "سجّل الشركة"),
                AT_START,
                external_url="https://www.verksamt.se/",
                agency=BOLAGSVERKET,
            ),
            _step(
                "f_tax",
                T(
                    "Ansök om F-skatt",
                    "Apply for F-tax approval",
                    "Søg om F-skat",
                    "قدّم طلبًا للحصول على ضريبة F",
                ),
                AT_START,
                external_url="https://www.skatteverket.se/foretag",
                agency=SKATTEVERKET,
            ),
            _step(
                "food_registration",
                T(
                    "Registrera livsmedelsanläggningen",
                    "Register the food business",
                    "Registrér fødevarevirksomheden",
                    "سجّل المنشأة الغذائية",
                ),
                T(
                    "Senast två veckor innan du öppnar",
                    "At least two weeks before you open",
                    "Senest to uger før åbning",
                    "قبل الافتتاح بأسبوعين على الأقل",
                ),
                service="register-food-business",
                agency=MUNICIPALITY,
                when=_yes("food"),
            ),
            _step(
                "alcohol_permit",
                T(
                    "Ansök om serveringstillstånd",
                    "Apply for a licence to serve alcohol",
                    "Søg om alkoholbevilling",
                    "قدّم طلبًا للحصول على ترخيص تقديم الكحول",
                ),
                T(
                    "Tre månader innan du öppnar",
                    "Three months before you open",
                    "Tre måneder før åbning",
                    "قبل الافتتاح بثلاثة أشهر",
                ),
                service="alcohol-serving-permit",
                agency=MUNICIPALITY,
                when=_yes("alcohol"),
            ),
            _step(
                "outdoor_seating",
                T(
                    "Ansök om uteservering",
                    "Apply for outdoor seating",
                    "Søg om udeservering",
                    "قدّم طلبًا للجلسات الخارجية",
                ),
                T(
                    "En månad innan säsongen",
                    "A month before the season",
                    "En måned før sæsonen",
                    "قبل الموسم بشهر",
                ),
                service="outdoor-seating",
                agency=MUNICIPALITY,
                when=_yes("outdoors"),
            ),
        ],
    },
    {
        "slug": "building-or-renovating",
        "title": T(
            "Bygga eller renovera", "Building or renovating", "At bygge eller renovere", "البناء أو التجديد"
        ),
        "summary": T(
            "Bygglov, värmepump, avlopp och bidrag för att anpassa bostaden.",
            "Building permits, heat pumps, sewage and grants to adapt your home.",
            "Byggetilladelse, varmepumpe, spildevand og tilskud til boligindretning.",
            "تراخيص البناء والمضخات الحرارية والصرف ومنح تعديل المسكن.",
        ),
        "questions": [
            {
                "key": "extend",
                "text": T(
                    "Ska du bygga nytt, bygga till eller ändra fasaden?",
                    "Will you build something new, extend, or change the exterior?",
                    "Skal du bygge nyt, bygge til eller ændre facaden?",
                    "هل ستبني جديدًا أو توسّع أو تغيّر الواجهة؟",
                ),
            },
            {
                "key": "heat_pump",
                "text": T(
                    "Ska du installera bergvärme eller jordvärme?",
                    "Will you install a ground-source heat pump?",
                    "Skal du installere jordvarme?",
                    "هل ستركّب مضخة حرارية أرضية؟",
                ),
            },
            {
                "key": "sewage",
                "text": T(
                    "Behöver du ett eget avlopp?",
                    "Do you need a private sewage system?",
                    "Har du brug for et privat spildevandsanlæg?",
                    "هل تحتاج إلى نظام صرف خاص؟",
                ),
            },
            {
                "key": "adaptation",
                "text": T(
                    "Behöver bostaden anpassas för en funktionsnedsättning?",
                    "Does the home need adapting for a disability?",
                    "Skal boligen indrettes på grund af et handicap?",
                    "هل يحتاج المسكن إلى تعديل بسبب إعاقة؟",
                ),
            },
        ],
        "steps": [
            _step(
                "building_permit",
                T(
                    "Ansök om bygglov",
                    "Apply for a building permit",
                    "Søg om byggetilladelse",
                    "قدّم طلبًا للحصول على رخصة بناء",
                ),
                T(
                    "Innan du börjar bygga",
                    "Before you start building",
                    "Før du begynder at bygge",
                    "قبل البدء في البناء",
                ),
                service="building-permit",
                agency=MUNICIPALITY,
                when=_yes("extend"),
            ),
            _step(
                "heat_pump",
                T(
                    "Anmäl värmepumpen",
                    "Notify the heat pump",
                    "Anmeld varmepumpen",
                    "أبلغ عن المضخة الحرارية",
                ),
                T(
                    "Fyra veckor innan borrningen",
                    "Four weeks before drilling",
                    "Fire uger før boringen",
                    "قبل الحفر بأربعة أسابيع",
                ),
                service="heat-pump-notification",
                agency=MUNICIPALITY,
                when=_yes("heat_pump"),
            ),
            _step(
                "sewage",
                T(
                    "Ansök om tillstånd för enskilt avlopp",
                    "Apply for a private sewage permit",
                    "Søg om tilladelse til privat spildevand",
                    "اطلب تصريح صرف خاص",
                ),
                T("Innan du gräver", "Before you dig", "Før du graver", "قبل الحفر"),
                service="private-sewage-system",
                agency=MUNICIPALITY,
                when=_yes("sewage"),
            ),
            _step(
                "adaptation",
                T(
                    "Ansök om bostadsanpassningsbidrag",
                    "Apply for a housing adaptation grant",
                    "Søg om boligændringstilskud",
                    "اطلب منحة تعديل المسكن",
                ),
                T(
                    "Innan arbetet påbörjas",
                    "Before the work starts",
                    "Før arbejdet begynder",
                    "قبل بدء العمل",
                ),
                service="housing-adaptation-grant",
                agency=MUNICIPALITY,
                when=_yes("adaptation"),
            ),
        ],
    },
    {
        "slug": "when-someone-dies",
        "title": T("När någon dör", "When someone dies", "Når nogen dør", "عند وفاة شخص"),
        "summary": T(
            "Vad du behöver ordna som anhörig, och stöd du kan få.",
            "What you need to arrange as a relative, and the support you can get.",
            "Hvad du skal ordne som pårørende, og den støtte, du kan få.",
            "ما يجب أن ترتبه بصفتك قريبًا، والدعم الذي يمكنك الحصول عليه.",
        ),
        "questions": [
            {
                "key": "had_home_care",
                "text": T(
                    "Hade personen hemtjänst eller trygghetslarm?",
                    "Did the person have home care or a safety alarm?",
                    "Havde personen hjemmepleje eller nødkald?",
                    "هل كان لدى الشخص رعاية منزلية أو إنذار أمان؟",
                ),
            },
            {
                "key": "owned_house",
                "text": T(
                    "Ägde personen ett hus?",
                    "Did the person own a house?",
                    "Ejede personen et hus?",
                    "هل كان الشخص يملك منزلًا؟",
                ),
            },
        ],
        "steps": [
            _step(
                "estate_inventory",
                T(
                    "Gör en bouppteckning",
                    "Draw up an estate inventory",
                    "Lav en boopgørelse",
                    "أعدّ جرد التركة",
                ),
                T("Inom tre månader", "Within three months", "Inden for tre måneder", "خلال ثلاثة أشهر"),
                external_url="https://www.skatteverket.se/privat/folkbokforing/narenanhorigdor",
                agency=SKATTEVERKET,
            ),
            _step(
                "end_home_care",
                T(
                    "Avsluta hemtjänst och trygghetslarm",
                    "End home care and the safety alarm",
                    "Afslut hjemmepleje og nødkald",
                    "أنهِ الرعاية المنزلية وإنذار الأمان",
                ),
                T("Så snart du kan", "As soon as you can", "Så snart du kan", "في أقرب وقت ممكن"),
                service="home-care",
                agency=MUNICIPALITY,
                when=_yes("had_home_care"),
            ),
            _step(
                "waste",
                T(
                    "Ändra avfallsabonnemanget",
                    "Change the waste collection subscription",
                    "Ændr affaldsabonnementet",
                    "غيّر اشتراك جمع النفايات",
                ),
                T(
                    "När huset töms eller säljs",
                    "When the house is emptied or sold",
                    "Når huset tømmes eller sælges",
                    "عند إخلاء المنزل أو بيعه",
                ),
                service="waste-collection-subscription",
                agency=MUNICIPALITY,
                when=_yes("owned_house"),
            ),
            _step(
                "financial_help",
                T(
                    "Sök ekonomiskt bistånd till begravning om pengarna inte räcker",
                    "Apply for financial assistance for the funeral if the estate cannot pay",
                    "Søg økonomisk hjælp til begravelsen, hvis boet ikke kan betale",
                    "اطلب مساعدة مالية للجنازة إذا لم تكفِ التركة",
                ),
                WHEN_NEEDED,
                service="financial-assistance",
                agency=MUNICIPALITY,
            ),
        ],
    },
    {
        "slug": "growing-older",
        "title": T(
            "Bli äldre och behöva stöd hemma",
            "Growing older and needing support at home",
            "At blive ældre og få brug for hjælp hjemme",
            "التقدم في السن والحاجة إلى الدعم في المنزل",
        ),
        "summary": T(
            "Hemtjänst, trygghetslarm, färdtjänst och anpassning av bostaden.",
            "Home care, a safety alarm, transport service and adapting your home.",
            "Hjemmepleje, nødkald, handicapkørsel og boligindretning.",
            "الرعاية المنزلية وإنذار الأمان وخدمة النقل وتعديل المسكن.",
        ),
        "questions": [
            {
                "key": "daily_help",
                "text": T(
                    "Behöver du hjälp med vardagliga sysslor eller personlig omvårdnad?",
                    "Do you need help with household tasks or personal care?",
                    "Har du brug for hjælp til daglige gøremål eller personlig pleje?",
                    "هل تحتاج إلى مساعدة في الأعمال المنزلية أو العناية الشخصية؟",
                ),
            },
            {
                "key": "lives_alone",
                "text": T("Bor du ensam?", "Do you live alone?", "Bor du alene?", "هل تعيش بمفردك؟"),
            },
            {
                "key": "travel",
                "text": T(
                    "Har du svårt att åka buss eller tåg?",
                    "Do you find it hard to travel by bus or train?",
                    "Har du svært ved at tage bus eller tog?",
                    "هل تجد صعوبة في السفر بالحافلة أو القطار؟",
                ),
            },
            {
                "key": "stairs",
                "text": T(
                    "Har du svårt att ta dig fram i bostaden, till exempel i trappor?",
                    "Is it hard to get around your home, for example on stairs?",
                    "Er det svært at komme rundt i boligen, for eksempel på trapper?",
                    "هل يصعب عليك التنقل في منزلك، على الدرج مثلًا؟",
                ),
            },
        ],
        "steps": [
            _step(
                "home_care",
                T(
                    "Ansök om hemtjänst",
                    "Apply for home-care assistance",
                    "Søg om hjemmehjælp",
                    "اطلب خدمة الرعاية المنزلية",
                ),
                WHEN_NEEDED,
                service="home-care",
                agency=MUNICIPALITY,
                when=_yes("daily_help"),
            ),
            _step(
                "safety_alarm",
                T("Ansök om trygghetslarm", "Apply for a safety alarm", "Søg om nødkald", "اطلب إنذار أمان"),
                WHEN_NEEDED,
                service="safety-alarm",
                agency=MUNICIPALITY,
                when=_yes("lives_alone"),
            ),
            _step(
                "transport",
                T(
                    "Ansök om färdtjänst",
                    "Apply for transport service",
                    "Søg om handicapkørsel",
                    "اطلب خدمة النقل",
                ),
                WHEN_NEEDED,
                service="transport-service",
                agency=MUNICIPALITY,
                when=_yes("travel"),
            ),
            _step(
                "parking",
                T(
                    "Ansök om parkeringstillstånd för rörelsehindrade",
                    "Apply for a disabled parking permit",
                    "Søg om handicapparkeringskort",
                    "اطلب تصريح موقف لذوي الإعاقة",
                ),
                WHEN_NEEDED,
                service="disabled-parking-permit",
                agency=MUNICIPALITY,
                when=_yes("travel"),
            ),
            _step(
                "adaptation",
                T(
                    "Ansök om bostadsanpassningsbidrag",
                    "Apply for a housing adaptation grant",
                    "Søg om boligændringstilskud",
                    "اطلب منحة تعديل المسكن",
                ),
                WHEN_NEEDED,
                service="housing-adaptation-grant",
                agency=MUNICIPALITY,
                when=_yes("stairs"),
            ),
        ],
    },
    {
        "slug": "starting-school",
        "title": T("Börja skolan", "Starting school", "At begynde i skole", "بدء المدرسة"),
        "summary": T(
            "Skolval, fritidshem och skolskjuts inför skolstarten.",
            "Choosing a school, leisure-time centre and school transport before school starts.",
            "Skolevalg, fritidsordning og skolekørsel før skolestart.",
            "اختيار المدرسة ومركز الترفيه والنقل المدرسي قبل بدء الدراسة.",
        ),
        "questions": [
            {
                "key": "other_school",
                "text": T(
                    "Önskar ni en annan skola än den ni har blivit erbjuden?",
                    "Do you want another school than the one you were offered?",
                    "Ønsker I en anden skole end den tilbudte?",
                    "هل تريدون مدرسة غير التي عُرضت عليكم؟",
                ),
            },
            {
                "key": "after_school",
                "text": T(
                    "Behöver barnet fritidshem?",
                    "Does the child need a leisure-time centre?",
                    "Har barnet brug for fritidsordning?",
                    "هل يحتاج الطفل إلى مركز ترفيه بعد المدرسة؟",
                ),
            },
            {
                "key": "far_away",
                "text": T(
                    "Är skolvägen lång eller trafikfarlig?",
                    "Is the way to school long or dangerous?",
                    "Er skolevejen lang eller trafikfarlig?",
                    "هل الطريق إلى المدرسة طويل أو خطر؟",
                ),
            },
        ],
        "steps": [
            _step(
                "change_school",
                T("Ansök om skolbyte", "Apply to change school", "Søg om skoleskift", "اطلب تغيير المدرسة"),
                T("Senast 15 februari", "By 15 February", "Senest 15. februar", "قبل 15 فبراير"),
                service="change-school",
                agency=MUNICIPALITY,
                when=_yes("other_school"),
            ),
            _step(
                "leisure_centre",
                T(
                    "Ansök om plats i fritidshem",
                    "Apply for a leisure-time centre place",
                    "Søg om plads i fritidsordning",
                    "اطلب مكانًا في مركز الترفيه",
                ),
                T(
                    "En månad före skolstart",
                    "A month before school starts",
                    "En måned før skolestart",
                    "قبل بدء الدراسة بشهر",
                ),
                service="leisure-time-centre-placement",
                agency=MUNICIPALITY,
                when=_yes("after_school"),
            ),
            _step(
                "school_transport",
                T(
                    "Ansök om skolskjuts",
                    "Apply for school transport",
                    "Søg om skolekørsel",
                    "اطلب النقل المدرسي",
                ),
                T("Senast 1 maj", "By 1 May", "Senest 1. maj", "قبل 1 مايو"),
                service="school-transport",
                agency=MUNICIPALITY,
                when=_yes("far_away"),
            ),
        ],
    },
]

PRESCHOOL_OFFER: dict[str, Any] = {
    "key": "preschool_at_one",
    "kind": "child_turns_age_without_case",
    "parameters": {"age_years": 1, "within_months": 3},
    "service": "preschool-placement",
    "title": T(
        "Förskoleplats för {child_name}",
        "A preschool place for {child_name}",
        "Børnehaveplads til {child_name}",
        "مكان في الروضة لـ {child_name}",
    ),
    "text": T(
        "{child_name} fyller ett år {date}. Vill du ha en plats i förskola? Ansökan är redan ifylld med era uppgifter från folkbokföringen.",
        "{child_name} turns one on {date}. Would you like a preschool place? The application is already filled in with your details from the population register.",
        "{child_name} fylder et år den {date}. Vil du have en plads i børnehave? Ansøgningen er allerede udfyldt med jeres oplysninger fra folkeregistret.",
        "يبلغ {child_name} عامه الأول في {date}. هل تريد مكانًا في الروضة؟ الطلب معبأ مسبقًا ببياناتكم من سجل السكان.",
    ),
}


@seeder(order=25, name="catalogue details and life events")
def seed_catalogue_details() -> list[str]:
    """Add the details, life events and offer rule that are missing; edited content is left alone."""
    services = {service.slug: service for service in db.scalars(select(Service))}
    existing_details = set(db.scalars(select(ServiceDetails.service_id)))
    for slug, (who, need, time, cost, synonyms, printable) in DETAILS.items():
        service = services.get(slug)
        if service is None or service.id in existing_details:
            continue
        db.add(
            ServiceDetails(
                service_id=service.id,
                who_can_apply=who,
                what_you_need=need,
                processing_time=time,
                cost=cost,
                synonyms=synonyms,
                phone=PHONE,
                phone_hours=PHONE_HOURS,
                visit_address=VISIT_ADDRESS,
                opening_hours=OPENING_HOURS,
                postal_address=POSTAL_ADDRESS,
                printable_form_url=f"/static/forms/{slug}.pdf" if printable else None,
            )
        )
    existing_events = set(db.scalars(select(LifeEvent.slug)))
    for position, event in enumerate(LIFE_EVENTS):
        if event["slug"] in existing_events:
            continue
        life_event = LifeEvent(
            slug=event["slug"], title=event["title"], summary=event["summary"], position=position, active=True
        )
        for index, question in enumerate(event["questions"]):
            life_event.questions.append(
                LifeEventQuestion(
                    key=question["key"],
                    position=index,
                    text=question["text"],
                    hint=question.get("hint", {}),
                    options=question.get("options", []),
                )
            )
        for index, step in enumerate(event["steps"]):
            life_event.steps.append(
                LifeEventStep(
                    key=step["key"],
                    position=index,
                    title=step["title"],
                    timing=step["timing"],
                    agency=step["agency"],
                    service=services.get(step["service"]) if step["service"] else None,
                    external_url=step["external_url"],
                    show_when=step["show_when"],
                )
            )
        db.add(life_event)
    if db.scalar(select(OfferRule.id).where(OfferRule.key == PRESCHOOL_OFFER["key"])) is None:
        service = services.get(PRESCHOOL_OFFER["service"])
        if service is not None:
            db.add(
                OfferRule(
                    key=PRESCHOOL_OFFER["key"],
                    kind=PRESCHOOL_OFFER["kind"],
                    parameters=PRESCHOOL_OFFER["parameters"],
                    service=service,
                    title=PRESCHOOL_OFFER["title"],
                    text=PRESCHOOL_OFFER["text"],
                )
            )
    db.flush()
    catalogue.reindex_all()
    return []
