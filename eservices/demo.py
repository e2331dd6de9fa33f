"""Demo data for the fictional municipality Exempelstad: departments, queues, staff, residents and the catalogue."""
# ruff: noqa: E501 - the catalogue texts are prose in four languages; breaking sentences mid-line hurts review

from __future__ import annotations

from sqlalchemy import select

from core.auth import create_staff_user
from core.db import db
from core.demo import seeder
from core.models import Department, Queue, Resident, Role, StaffUser
from eservices.models import Category, Service

DEMO_PASSWORD = "Exempelstad-2026!"  # noqa: S105 - printed by `make run` and listed in the README on purpose

DEPARTMENTS = [
    # code, name, [(queue code, queue name, SLA hours)]
    (
        "education",
        "Förskola och skola",
        [
            ("education-admissions", "Placering i förskola och skola", 72),
            ("education-transport", "Skolskjuts", 120),
        ],
    ),
    (
        "social",
        "Socialtjänst och omsorg",
        [
            ("social-intake", "Mottagning socialtjänst", 48),
            ("social-elderly", "Biståndshandläggning äldre och funktionsnedsättning", 120),
        ],
    ),
    (
        "building",
        "Bygg och miljö",
        [
            ("building-permits", "Bygglov", 120),
            ("environment", "Miljö och hälsoskydd", 120),
            ("food-control", "Livsmedelskontroll", 120),
            ("housing-adaptation", "Bostadsanpassning", 240),
        ],
    ),
    (
        "streets",
        "Gator och parker",
        [
            ("streets-faults", "Felanmälan gator och parker", 24),
            ("streets-permits", "Trafiktillstånd och offentlig plats", 120),
        ],
    ),
    ("business", "Näringsliv och tillstånd", [("business-permits", "Tillstånd för företag", 120)]),
    ("waste", "Vatten och avfall", [("waste-subscriptions", "Avfallsabonnemang", 72)]),
    ("contact", "Kontaktcenter", [("contact-callbacks", "Återuppringning kontaktcenter", 4)]),
]

STAFF = [
    # e-mail, name, roles, department code, languages
    ("agent@exempelstad.se", "Amina Berg", [Role.AGENT], "contact", ["sv", "en", "ar"]),
    ("handlaggare@exempelstad.se", "Erik Lund", [Role.CASE_OFFICER], "education", ["sv", "en"]),
    ("formadmin@exempelstad.se", "Sofia Holm", [Role.FORM_ADMIN], "contact", ["sv", "en", "da"]),
    ("admin@exempelstad.se", "Johan Ek", [Role.SYSTEM_ADMIN], None, ["sv", "en"]),
]

RESIDENTS = [
    # The BankID emulator's fictional test identities (signing/emulator/identities.py), so that logging in on the
    # emulator's test phone lands on a resident with demo data: personnummer, given name, family name, e-mail,
    # phone, language, address.
    (
        "198512308480",
        "Fatima",
        "Ahmadi",
        "fatima.ahmadi@example.se",
        "+46701234567",
        "ar",
        ("Parkvägen 12", "12346", "Exempelstad"),
    ),
    (
        "195203141485",
        "Astrid",
        "Lindqvist",
        None,
        "+46704567890",
        "sv",
        ("Kyrkbacken 3", "12348", "Exempelstad"),
    ),
    (
        "197805093932",
        "Johan",
        "Bergqvist",
        "johan.bergqvist@example.dk",
        "+46703456789",
        "da",
        ("Ängsvägen 5", "12347", "Exempelstad"),
    ),
    (
        "196711252533",
        "Lars-Erik",
        "Johansson",
        "lars-erik.johansson@example.se",
        "+46702345678",
        "sv",
        ("Storgatan 1", "12345", "Exempelstad"),
    ),
]

CATEGORIES = [
    # slug, {lang: title}, {lang: description}; listed in the order the home page shows them
    (
        "preschool-and-school",
        {
            "sv": "Förskola och skola",
            "en": "Preschool and school",
            "da": "Børnehave og skole",
            "ar": "الروضة والمدرسة",
        },
        {
            "sv": "Förskola, fritidshem och grundskola: ansök om plats, byt skola och ansök om skolskjuts.",
            "en": "Preschool, leisure-time centre and compulsory school: apply for a place, change school and apply for school transport.",
            "da": "Børnehave, fritidsordning og skole: søg om plads, skift skole og søg om skolekørsel.",
            "ar": "الروضة ومركز الترفيه بعد المدرسة والمدرسة الأساسية: قدّم طلبًا للحصول على مكان، وغيّر المدرسة، واطلب النقل المدرسي.",
        },
    ),
    (
        "care-and-support",
        {"sv": "Omsorg och stöd", "en": "Care and support", "da": "Omsorg og støtte", "ar": "الرعاية والدعم"},
        {
            "sv": "Stöd i vardagen för dig som är äldre, har en funktionsnedsättning eller behöver ekonomisk hjälp. Här kan du också göra en orosanmälan om ett barn.",
            "en": "Everyday support if you are older, have a disability or need financial help. You can also report a concern about a child here.",
            "da": "Hjælp i hverdagen, hvis du er ældre, har et handicap eller har brug for økonomisk hjælp. Her kan du også sende en underretning om et barn.",
            "ar": "دعم في الحياة اليومية إذا كنت مسنًّا أو من ذوي الإعاقة أو تحتاج إلى مساعدة مالية. يمكنك هنا أيضًا تقديم بلاغ قلق بشأن طفل.",
        },
    ),
    (
        "building-and-housing",
        {"sv": "Bygga och bo", "en": "Building and housing", "da": "Byggeri og bolig", "ar": "البناء والسكن"},
        {
            "sv": "Bygglov, anmälan om värmepump och bidrag för att anpassa din bostad.",
            "en": "Building permits, notifying a heat pump and grants to adapt your home.",
            "da": "Byggetilladelse, anmeldelse af varmepumpe og tilskud til at indrette din bolig.",
            "ar": "تراخيص البناء، والإبلاغ عن تركيب مضخة حرارية، ومنح تعديل مسكنك.",
        },
    ),
    (
        "environment",
        {
            "sv": "Miljö och avfall",
            "en": "Environment and waste",
            "da": "Miljø og affald",
            "ar": "البيئة والنفايات",
        },
        {
            "sv": "Sophämtning, enskilt avlopp och klagomål på buller eller andra störningar där du bor.",
            "en": "Waste collection, private sewage systems and complaints about noise or other nuisances where you live.",
            "da": "Affaldsindsamling, private spildevandsanlæg og klager over støj eller andre gener, hvor du bor.",
            "ar": "جمع النفايات، وأنظمة الصرف الصحي الخاصة، والشكاوى من الضوضاء أو غيرها من الإزعاج في مكان سكنك.",
        },
    ),
    (
        "streets-and-parks",
        {
            "sv": "Trafik, gator och parker",
            "en": "Traffic, streets and parks",
            "da": "Trafik, veje og parker",
            "ar": "المرور والشوارع والحدائق",
        },
        {
            "sv": "Felanmälan, snöröjning, parkeringstillstånd och tillstånd att använda gator, parker och torg.",
            "en": "Report faults, snow clearing, parking permits and permission to use streets, parks and squares.",
            "da": "Fejlmeldinger, snerydning, parkeringskort og tilladelse til at bruge veje, parker og torve.",
            "ar": "الإبلاغ عن الأعطال، وإزالة الثلوج، وتصاريح الوقوف، وتصاريح استخدام الشوارع والحدائق والساحات.",
        },
    ),
    (
        "business-and-permits",
        {
            "sv": "Näringsliv och tillstånd",
            "en": "Business and permits",
            "da": "Erhverv og tilladelser",
            "ar": "الأعمال والتصاريح",
        },
        {
            "sv": "För dig som driver företag: registrera livsmedelsanläggning och ansök om serveringstillstånd eller uteservering.",
            "en": "For businesses: register a food business and apply for a licence to serve alcohol or for outdoor seating.",
            "da": "For virksomheder: registrér en fødevarevirksomhed, og søg om alkoholbevilling eller udeservering.",
            "ar": "للشركات: سجّل منشأة غذائية، وقدّم طلبًا للحصول على ترخيص تقديم المشروبات الكحولية أو ترخيص الجلسات الخارجية.",
        },
    ),
]

SERVICES = [
    # slug, category slug, queue code, popular, {lang: title}, {lang: summary}
    # The queue is the team that handles the cases, which is not always the category's department: a heat pump is
    # found under building and housing but notified to environmental health, outdoor seating is a street permit.
    (
        "preschool-placement",
        "preschool-and-school",
        "education-admissions",
        True,
        {
            "sv": "Ansök om plats i förskola",
            "en": "Apply for a preschool place",
            "da": "Søg om plads i børnehave",
            "ar": "التقديم على مكان في الروضة",
        },
        {
            "sv": "För barn från ett års ålder. Ansök senast fyra månader innan du behöver platsen.",
            "en": "For children from the age of one. Apply at least four months before you need the place.",
            "da": "For børn fra etårsalderen. Søg senest fire måneder før, du har brug for pladsen.",
            "ar": "للأطفال من عمر سنة واحدة. قدّم الطلب قبل أربعة أشهر على الأقل من حاجتك إلى المكان.",
        },
    ),
    (
        "leisure-time-centre-placement",
        "preschool-and-school",
        "education-admissions",
        False,
        {
            "sv": "Ansök om plats i fritidshem",
            "en": "Apply for a place at a leisure-time centre",
            "da": "Søg om plads i fritidsordning",
            "ar": "التقديم على مكان في مركز الترفيه بعد المدرسة",
        },
        {
            "sv": "För elever i förskoleklass till årskurs 6 vars vårdnadshavare arbetar eller studerar. Ansök senast en månad innan platsen behövs.",
            "en": "For pupils from preschool class to year 6 whose guardians work or study. Apply at least one month before you need the place.",
            "da": "For elever fra børnehaveklasse til 6. klasse, hvis forældre arbejder eller studerer. Søg senest en måned før, der er brug for pladsen.",
            "ar": "للتلاميذ من الصف التمهيدي حتى الصف السادس الذين يعمل أولياء أمورهم أو يدرسون. قدّم الطلب قبل شهر على الأقل من حاجتك إلى المكان.",
        },
    ),
    (
        "change-school",
        "preschool-and-school",
        "education-admissions",
        False,
        {
            "sv": "Ansök om skolbyte",
            "en": "Apply to change school",
            "da": "Søg om skoleskift",
            "ar": "طلب تغيير المدرسة",
        },
        {
            "sv": "Önska en annan kommunal grundskola för ditt barn. Båda vårdnadshavarna behöver skriva under ansökan.",
            "en": "Ask for another municipal compulsory school for your child. Both guardians need to sign the application.",
            "da": "Ønsk en anden kommunal folkeskole til dit barn. Begge forældremyndighedsindehavere skal skrive under på ansøgningen.",
            "ar": "اطلب مدرسة أساسية بلدية أخرى لطفلك. يجب على وليَّي الأمر كليهما التوقيع على الطلب.",
        },
    ),
    (
        "school-transport",
        "preschool-and-school",
        "education-transport",
        False,
        {
            "sv": "Ansök om skolskjuts",
            "en": "Apply for school transport",
            "da": "Søg om skolekørsel",
            "ar": "طلب النقل المدرسي",
        },
        {
            "sv": "Ditt barn kan ha rätt till skolskjuts om vägen till skolan är lång eller trafikfarlig. Ansök inför varje läsår.",
            "en": "Your child may be entitled to school transport if the way to school is long or dangerous. Apply before each school year.",
            "da": "Dit barn kan have ret til skolekørsel, hvis skolevejen er lang eller trafikfarlig. Søg før hvert skoleår.",
            "ar": "قد يحق لطفلك الحصول على النقل المدرسي إذا كان الطريق إلى المدرسة طويلًا أو خطرًا. قدّم الطلب قبل كل عام دراسي.",
        },
    ),
    (
        "home-care",
        "care-and-support",
        "social-elderly",
        True,
        {
            "sv": "Ansök om hemtjänst",
            "en": "Apply for home-care assistance",
            "da": "Søg om hjemmehjælp",
            "ar": "طلب خدمة الرعاية المنزلية",
        },
        {
            "sv": "Hjälp hemma med till exempel städning, inköp, måltider och personlig omvårdnad när du inte klarar vardagen på egen hand.",
            "en": "Help at home with, for example, cleaning, shopping, meals and personal care when you cannot manage everyday life on your own.",
            "da": "Hjælp i hjemmet til for eksempel rengøring, indkøb, måltider og personlig pleje, når du ikke kan klare hverdagen selv.",
            "ar": "مساعدة في المنزل، مثل التنظيف والتسوّق والوجبات والعناية الشخصية، عندما لا تستطيع تدبير حياتك اليومية بنفسك.",
        },
    ),
    (
        "safety-alarm",
        "care-and-support",
        "social-elderly",
        False,
        {
            "sv": "Ansök om trygghetslarm",
            "en": "Apply for a safety alarm",
            "da": "Søg om nødkald",
            "ar": "طلب جهاز إنذار الأمان",
        },
        {
            "sv": "Ett larm som du bär på armen eller runt halsen, så att du kan kalla på hjälp dygnet runt om något händer hemma.",
            "en": "An alarm you wear on your wrist or around your neck, so you can call for help day and night if something happens at home.",
            "da": "Et nødkald, du bærer om håndleddet eller halsen, så du kan tilkalde hjælp døgnet rundt, hvis der sker noget derhjemme.",
            "ar": "جهاز إنذار تضعه على معصمك أو حول عنقك، لتتمكن من طلب المساعدة في أي وقت من الليل أو النهار إذا حدث لك شيء في المنزل.",
        },
    ),
    (
        "financial-assistance",
        "care-and-support",
        "social-intake",
        True,
        {
            "sv": "Ansök om ekonomiskt bistånd",
            "en": "Apply for financial assistance",
            "da": "Søg om økonomisk hjælp",
            "ar": "طلب المساعدة المالية",
        },
        {
            "sv": "Försörjningsstöd när du inte kan försörja dig på något annat sätt. Ansök för en månad i taget och bifoga underlag om dina inkomster och utgifter.",
            "en": "Income support when you cannot support yourself in any other way. Apply for one month at a time and attach records of your income and expenses.",
            "da": "Hjælp til forsørgelse, når du ikke kan forsørge dig selv på anden måde. Søg for en måned ad gangen, og vedhæft dokumentation for dine indtægter og udgifter.",
            "ar": "إعانة معيشية عندما لا تستطيع إعالة نفسك بطريقة أخرى. قدّم الطلب لشهر واحد في كل مرة وأرفق مستندات عن دخلك ونفقاتك.",
        },
    ),
    (
        "report-concern-about-child",
        "care-and-support",
        "social-intake",
        False,
        {
            "sv": "Gör en orosanmälan om ett barn",
            "en": "Report a concern about a child",
            "da": "Send en underretning om et barn",
            "ar": "تقديم بلاغ قلق بشأن طفل",
        },
        {
            "sv": "Om du misstänker att ett barn far illa. Ring 112 om barnet är i akut fara.",
            "en": "If you suspect that a child is being harmed or neglected. Call 112 if the child is in immediate danger.",
            "da": "Hvis du er bekymret for, at et barn mistrives eller lider overlast. Ring 112, hvis barnet er i akut fare.",
            "ar": "إذا كنت تشك في أن طفلًا يتعرض للأذى أو الإهمال. اتصل بالرقم 112 إذا كان الطفل في خطر داهم.",
        },
    ),
    (
        "transport-service",
        "care-and-support",
        "social-elderly",
        False,
        {
            "sv": "Ansök om färdtjänst",
            "en": "Apply for disability transport service",
            "da": "Søg om handicapkørsel",
            "ar": "طلب خدمة النقل الخاص لذوي الإعاقة",
        },
        {
            "sv": "Resor med taxi eller specialfordon för dig som har svårt att åka med kollektivtrafiken på grund av en funktionsnedsättning.",
            "en": "Trips by taxi or adapted vehicle if a disability makes it hard for you to use public transport.",
            "da": "Kørsel med taxa eller specialkøretøj, hvis et handicap gør det svært for dig at bruge den kollektive trafik.",
            "ar": "رحلات بسيارة أجرة أو بمركبة مجهّزة إذا كانت الإعاقة تجعل استخدام وسائل النقل العام صعبًا عليك.",
        },
    ),
    (
        "building-permit",
        "building-and-housing",
        "building-permits",
        True,
        {
            "sv": "Ansök om bygglov",
            "en": "Apply for a building permit",
            "da": "Søg om byggetilladelse",
            "ar": "طلب ترخيص البناء",
        },
        {
            "sv": "För nybyggnad, tillbyggnad, ändrad användning och vissa fasadändringar. Bifoga ritningar och situationsplan.",
            "en": "For new buildings, extensions, change of use and some changes to facades. Attach drawings and a site plan.",
            "da": "Til nybyggeri, tilbygning, ændret anvendelse og visse facadeændringer. Vedhæft tegninger og situationsplan.",
            "ar": "للبناء الجديد والتوسعة وتغيير الاستخدام وبعض التعديلات على الواجهات. أرفق الرسومات ومخطط الموقع.",
        },
    ),
    (
        "heat-pump-notification",
        "building-and-housing",
        "environment",
        False,
        {
            "sv": "Anmäl installation av värmepump",
            "en": "Notify the installation of a heat pump",
            "da": "Anmeld installation af en varmepumpe",
            "ar": "الإبلاغ عن تركيب مضخة حرارية",
        },
        {
            "sv": "Berg-, jord- och sjövärmepumpar ska anmälas innan du börjar borra eller gräva.",
            "en": "Heat pumps that take heat from rock, soil or a lake must be notified before you start drilling or digging.",
            "da": "Varmepumper, der henter varme fra grundfjeld, jord eller sø, skal anmeldes, før du begynder at bore eller grave.",
            "ar": "يجب الإبلاغ عن المضخات الحرارية التي تستمد الحرارة من الصخور أو التربة أو البحيرات قبل أن تبدأ الحفر.",
        },
    ),
    (
        "housing-adaptation-grant",
        "building-and-housing",
        "housing-adaptation",
        False,
        {
            "sv": "Ansök om bostadsanpassningsbidrag",
            "en": "Apply for a housing adaptation grant",
            "da": "Søg om tilskud til boligændring",
            "ar": "طلب منحة تعديل السكن",
        },
        {
            "sv": "Bidrag för att anpassa din bostad om du har en varaktig funktionsnedsättning, till exempel för att ta bort trösklar eller bygga om badrummet.",
            "en": "A grant to adapt your home if you have a lasting disability, for example to remove thresholds or rebuild the bathroom.",
            "da": "Tilskud til at indrette din bolig, hvis du har et varigt handicap, for eksempel til at fjerne dørtrin eller ombygge badeværelset.",
            "ar": "منحة لتعديل مسكنك إذا كانت لديك إعاقة دائمة، مثل إزالة العتبات أو إعادة تجهيز الحمّام.",
        },
    ),
    (
        "waste-collection-subscription",
        "environment",
        "waste-subscriptions",
        True,
        {
            "sv": "Ändra ditt avfallsabonnemang",
            "en": "Change your waste collection subscription",
            "da": "Ændr din affaldsordning",
            "ar": "تعديل اشتراك جمع النفايات",
        },
        {
            "sv": "Byt kärlstorlek eller hämtningsintervall, eller anmäl ett kärl som du delar med en granne. Ändringen gäller från nästa månad.",
            "en": "Change bin size or collection interval, or register a bin you share with a neighbour. The change applies from the next month.",
            "da": "Skift beholderstørrelse eller tømningsinterval, eller tilmeld en beholder, du deler med en nabo. Ændringen gælder fra næste måned.",
            "ar": "غيّر حجم الحاوية أو عدد مرات التفريغ، أو سجّل حاوية تتشاركها مع أحد الجيران. يسري التغيير اعتبارًا من الشهر التالي.",
        },
    ),
    (
        "private-sewage-system",
        "environment",
        "environment",
        False,
        {
            "sv": "Ansök om tillstånd för enskilt avlopp",
            "en": "Apply for a permit for a private sewage system",
            "da": "Søg om tilladelse til privat spildevandsanlæg",
            "ar": "طلب ترخيص لنظام صرف صحي خاص",
        },
        {
            "sv": "Du behöver tillstånd innan du anlägger eller ändrar ett avlopp som inte är anslutet till det kommunala nätet.",
            "en": "You need a permit before you build or change a sewage system that is not connected to the municipal network.",
            "da": "Du skal have tilladelse, før du etablerer eller ændrer et spildevandsanlæg, der ikke er tilsluttet det offentlige kloaknet.",
            "ar": "تحتاج إلى ترخيص قبل إنشاء أو تعديل نظام صرف صحي غير متصل بالشبكة البلدية.",
        },
    ),
    (
        "noise-complaint",
        "environment",
        "environment",
        False,
        {
            "sv": "Klaga på buller eller andra störningar",
            "en": "Complain about noise or other nuisances",
            "da": "Klag over støj eller andre gener",
            "ar": "تقديم شكوى بشأن الضوضاء أو إزعاج آخر",
        },
        {
            "sv": "Till exempel buller från fläktar, byggen eller verksamheter, lukt eller fukt och mögel i en hyresbostad. Prata gärna först med den som stör.",
            "en": "For example noise from fans, building sites or businesses, odours, or damp and mould in a rented home. If you can, talk to whoever causes it first.",
            "da": "For eksempel støj fra ventilation, byggepladser eller virksomheder, lugt eller fugt og skimmel i en lejebolig. Tal gerne først med den, der generer.",
            "ar": "مثل الضوضاء الصادرة عن المراوح أو مواقع البناء أو الأنشطة التجارية، أو الروائح، أو الرطوبة والعفن في مسكن مستأجر. يُفضَّل أن تتحدث أولًا مع مصدر الإزعاج إن أمكن.",
        },
    ),
    (
        "report-street-or-park-fault",
        "streets-and-parks",
        "streets-faults",
        True,
        {
            "sv": "Felanmälan gator, parker och belysning",
            "en": "Report a fault in a street, park or street light",
            "da": "Meld fejl på veje, i parker og ved belysning",
            "ar": "الإبلاغ عن عطل في الشوارع أو الحدائق أو الإنارة",
        },
        {
            "sv": "Anmäl potthål, trasig gatubelysning, nedskräpning, klotter eller skadade lekplatser. Du kan följa ärendet på Mina sidor.",
            "en": "Report potholes, broken street lights, litter, graffiti or damaged playgrounds. You can follow the case on My pages.",
            "da": "Meld huller i vejen, defekt gadebelysning, affald, graffiti eller ødelagte legepladser. Du kan følge sagen på Min side.",
            "ar": "أبلغ عن الحفر وإنارة الشوارع المعطّلة والنفايات المتناثرة والكتابة على الجدران والملاعب المتضررة. يمكنك متابعة البلاغ في صفحاتي.",
        },
    ),
    (
        "winter-road-maintenance",
        "streets-and-parks",
        "streets-faults",
        False,
        {
            "sv": "Fråga om snöröjning och halkbekämpning",
            "en": "Ask about snow clearing and gritting",
            "da": "Spørg om snerydning og glatførebekæmpelse",
            "ar": "استفسار عن إزالة الثلوج ومكافحة الانزلاق",
        },
        {
            "sv": "Kommunen plogar och sandar kommunala gator och gång- och cykelvägar. För enskilda vägar och tomtmark ansvarar fastighetsägaren.",
            "en": "The municipality ploughs and grits municipal streets, footpaths and cycle paths. Property owners are responsible for private roads and their own land.",
            "da": "Kommunen rydder sne og gruser på kommunale veje, fortove og cykelstier. Grundejeren har ansvaret for private veje og egen grund.",
            "ar": "تزيل البلدية الثلوج وتنثر الرمل على الشوارع البلدية وممرات المشاة والدراجات. أما الطرق الخاصة وأراضي العقارات فمسؤولية مالكيها.",
        },
    ),
    (
        "disabled-parking-permit",
        "streets-and-parks",
        "streets-permits",
        False,
        {
            "sv": "Ansök om parkeringstillstånd för rörelsehindrade",
            "en": "Apply for a parking permit for people with disabilities",
            "da": "Søg om parkeringskort til personer med handicap",
            "ar": "طلب تصريح وقوف السيارات لذوي الإعاقة الحركية",
        },
        {
            "sv": "För dig som har väsentliga svårigheter att gå, som förare eller passagerare. Bifoga ett läkarintyg och ett foto.",
            "en": "If you have great difficulty walking, as a driver or a passenger. Attach a medical certificate and a photo.",
            "da": "Hvis du har meget svært ved at gå, som fører eller passager. Vedhæft en lægeerklæring og et foto.",
            "ar": "إذا كنت تجد صعوبة كبيرة في المشي، سواء كنت سائقًا أو راكبًا. أرفق شهادة طبية وصورة شخصية.",
        },
    ),
    (
        "use-of-public-space",
        "streets-and-parks",
        "streets-permits",
        False,
        {
            "sv": "Ansök om att använda offentlig plats",
            "en": "Apply to use a public place",
            "da": "Søg om at bruge et offentligt areal",
            "ar": "طلب استخدام مكان عام",
        },
        {
            "sv": "För container, byggställning, torghandel eller evenemang på gator, torg och i parker. Ansök i god tid, handläggningen tar upp till fyra veckor.",
            "en": "For a skip, scaffolding, market trading or an event in streets, squares and parks. Apply in good time: handling takes up to four weeks.",
            "da": "Til container, stillads, torvehandel eller arrangementer på veje, torve og i parker. Søg i god tid – behandlingen tager op til fire uger.",
            "ar": "لوضع حاوية أو سقالة أو للبيع في السوق أو لإقامة فعالية في الشوارع والساحات والحدائق. قدّم الطلب مبكرًا، فقد تستغرق معالجته حتى أربعة أسابيع.",
        },
    ),
    (
        "register-food-business",
        "business-and-permits",
        "food-control",
        False,
        {
            "sv": "Registrera livsmedelsanläggning",
            "en": "Register a food business",
            "da": "Registrér en fødevarevirksomhed",
            "ar": "تسجيل منشأة غذائية",
        },
        {
            "sv": "Anmäl restaurang, kafé, butik eller annan livsmedelsverksamhet senast två veckor innan du startar.",
            "en": "Register a restaurant, café, shop or other food business at least two weeks before you open.",
            "da": "Registrér en restaurant, café, butik eller anden fødevarevirksomhed senest to uger, før du åbner.",
            "ar": "سجّل المطعم أو المقهى أو المتجر أو أي نشاط غذائي آخر قبل أسبوعين على الأقل من بدء العمل.",
        },
    ),
    (
        "alcohol-serving-permit",
        "business-and-permits",
        "business-permits",
        False,
        {
            "sv": "Ansök om serveringstillstånd",
            "en": "Apply for a licence to serve alcohol",
            "da": "Søg om alkoholbevilling",
            "ar": "طلب ترخيص تقديم المشروبات الكحولية",
        },
        {
            "sv": "För restauranger och andra som vill servera alkohol till allmänheten eller till slutna sällskap. Handläggningen tar upp till åtta veckor.",
            "en": "For restaurants and others who want to serve alcohol to the public or to private parties. Handling takes up to eight weeks.",
            "da": "For restauranter og andre, der vil servere alkohol for offentligheden eller for lukkede selskaber. Behandlingen tager op til otte uger.",
            "ar": "للمطاعم وغيرها ممن يرغبون في تقديم المشروبات الكحولية للجمهور أو لمجموعات خاصة. تستغرق المعالجة حتى ثمانية أسابيع.",
        },
    ),
    (
        "outdoor-seating",
        "business-and-permits",
        "streets-permits",
        False,
        {
            "sv": "Ansök om uteservering",
            "en": "Apply for outdoor seating",
            "da": "Søg om udeservering",
            "ar": "طلب ترخيص جلسات خارجية",
        },
        {
            "sv": "Tillstånd att ställa ut bord och stolar på trottoar eller torg under säsongen. Ansök senast åtta veckor innan du vill öppna.",
            "en": "Permission to put tables and chairs on a pavement or square during the season. Apply at least eight weeks before you want to open.",
            "da": "Tilladelse til at stille borde og stole på fortov eller torv i sæsonen. Søg senest otte uger, før du vil åbne.",
            "ar": "ترخيص لوضع الطاولات والكراسي على الرصيف أو في الساحة خلال الموسم. قدّم الطلب قبل ثمانية أسابيع على الأقل من موعد الافتتاح.",
        },
    ),
]


@seeder(order=10, name="departments, staff and residents")
def seed_people() -> list[str]:
    """Add whatever of the demo organisation is missing, so a database seeded by an older Kanal catches up.

    Returns the credential lines only when it created staff accounts, so `make run` keeps showing the list it
    saved the first time.
    """
    departments = {department.code: department for department in db.scalars(select(Department))}
    existing_queues = set(db.scalars(select(Queue.code)))
    for code, name, queues in DEPARTMENTS:
        department = departments.get(code)
        if department is None:
            department = departments[code] = Department(code=code, name=name)
            db.add(department)
        for queue_code, queue_name, sla_hours in queues:
            if queue_code not in existing_queues:
                department.queues.append(Queue(code=queue_code, name=queue_name, sla_hours=sla_hours))
    db.flush()

    existing_staff = set(db.scalars(select(StaffUser.email)))
    created_staff = []
    for email, name, roles, department_code, languages in STAFF:
        if email in existing_staff:
            continue
        department_id = departments[department_code].id if department_code else None
        create_staff_user(email, name, DEMO_PASSWORD, roles, department_id, languages)
        created_staff.append(f"  {', '.join(role.value for role in roles):14} {email}")

    existing_residents = set(db.scalars(select(Resident.personnummer)))
    for pnr, given, family, resident_email, phone, language, (street, postcode, city) in RESIDENTS:
        if pnr in existing_residents:
            continue
        db.add(
            Resident(
                personnummer=pnr,
                given_name=given,
                family_name=family,
                email=resident_email,
                phone=phone,
                preferred_language=language,
                street_address=street,
                postcode=postcode,
                city=city,
            )
        )
    if not created_staff:
        return []
    return ["Demo staff accounts (password for all: " + DEMO_PASSWORD + "):", *created_staff]


@seeder(order=20, name="catalogue")
def seed_catalogue() -> list[str]:
    """Add the categories and services that are missing; content someone has edited since is left alone."""
    categories = {category.slug: category for category in db.scalars(select(Category))}
    for position, (slug, title, description) in enumerate(CATEGORIES):
        if slug not in categories:
            categories[slug] = Category(slug=slug, title=title, description=description, position=position)
            db.add(categories[slug])
    queues = {queue.code: queue for queue in db.scalars(select(Queue))}
    existing_services = set(db.scalars(select(Service.slug)))
    for slug, category_slug, queue_code, popular, title, summary in SERVICES:
        if slug in existing_services:
            continue
        db.add(
            Service(
                slug=slug,
                category=categories[category_slug],
                queue=queues[queue_code],
                popular=popular,
                title=title,
                summary=summary,
            )
        )
    return []
