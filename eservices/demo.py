"""Demo data for the fictional municipality Exempelstad: departments, queues, staff, residents and the catalogue."""

from __future__ import annotations

from sqlalchemy import select

from core.auth import create_staff_user
from core.db import db
from core.demo import seeder
from core.models import Department, Queue, Resident, Role
from eservices.models import Category, Service

DEMO_PASSWORD = "Exempelstad-2026!"  # noqa: S105 - printed by `make run` and listed in the README on purpose

DEPARTMENTS = [
    # code, name, [(queue code, queue name, SLA hours)]
    ("education", "Förskola och skola", [("education-admissions", "Placering i förskola och skola", 72)]),
    ("social", "Socialtjänst och omsorg", [("social-intake", "Mottagning socialtjänst", 48)]),
    ("building", "Bygg och miljö", [("building-permits", "Bygglov", 120), ("environment", "Miljö och hälsoskydd", 120)]),
    ("streets", "Gator och parker", [("streets-faults", "Felanmälan gator och parker", 24)]),
    ("business", "Näringsliv och tillstånd", [("business-permits", "Tillstånd för företag", 120)]),
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
    # personnummer (fictional test identities), given name, family name, e-mail, phone, language, address
    ("199001012384", "Anna", "Andersson", "anna.andersson@example.se", "+46701234567", "sv", ("Storgatan 1", "12345", "Exempelstad")),
    ("198507152398", "Karim", "Haddad", "karim.haddad@example.se", "+46702345678", "ar", ("Parkvägen 12", "12346", "Exempelstad")),
    ("197212242386", "Mette", "Jensen", "mette.jensen@example.dk", "+46703456789", "da", ("Ängsvägen 5", "12347", "Exempelstad")),
    ("194503032393", "Gunnar", "Svensson", None, "+46704567890", "sv", ("Kyrkbacken 3", "12348", "Exempelstad")),
]

CATEGORIES = [
    # slug, {lang: title}, {lang: description}
    (
        "preschool-and-school",
        {"sv": "Förskola och skola", "en": "Preschool and school", "da": "Børnehave og skole", "ar": "الروضة والمدرسة"},
        {
            "sv": "Ansök om plats, byt skola och anmäl frånvaro.",
            "en": "Apply for a place, change school and report absence.",
            "da": "Søg om plads, skift skole og meld fravær.",
            "ar": "قدّم طلبًا للحصول على مكان، وغيّر المدرسة، وأبلغ عن الغياب.",
        },
    ),
]

SERVICES = [
    # slug, category slug, queue code, popular, {lang: title}, {lang: summary}
    (
        "preschool-placement",
        "preschool-and-school",
        "education-admissions",
        True,
        {"sv": "Ansök om plats i förskola", "en": "Apply for a preschool place", "da": "Søg om plads i børnehave", "ar": "التقديم على مكان في الروضة"},
        {
            "sv": "För barn från ett års ålder. Ansök senast fyra månader innan du behöver platsen.",
            "en": "For children from the age of one. Apply at least four months before you need the place.",
            "da": "For børn fra etårsalderen. Søg senest fire måneder før, du har brug for pladsen.",
            "ar": "للأطفال من عمر سنة واحدة. قدّم الطلب قبل أربعة أشهر على الأقل من حاجتك إلى المكان.",
        },
    ),
]


def _already_seeded() -> bool:
    return db.scalar(select(Department.id).limit(1)) is not None


@seeder(order=10, name="departments, staff and residents")
def seed_people() -> list[str]:
    if _already_seeded():
        return []
    departments: dict[str, Department] = {}
    for code, name, queues in DEPARTMENTS:
        department = Department(code=code, name=name)
        department.queues = [Queue(code=q_code, name=q_name, sla_hours=sla) for q_code, q_name, sla in queues]
        db.add(department)
        departments[code] = department
    db.flush()
    lines = ["Demo staff accounts (password for all: " + DEMO_PASSWORD + "):"]
    for email, name, roles, department_code, languages in STAFF:
        department_id = departments[department_code].id if department_code else None
        create_staff_user(email, name, DEMO_PASSWORD, roles, department_id, languages)
        lines.append(f"  {', '.join(role.value for role in roles):14} {email}")
    for pnr, given, family, email, phone, language, (street, postcode, city) in RESIDENTS:
        db.add(
            Resident(
                personnummer=pnr,
                given_name=given,
                family_name=family,
                email=email,
                phone=phone,
                preferred_language=language,
                street_address=street,
                postcode=postcode,
                city=city,
            )
        )
    return lines


@seeder(order=20, name="catalogue")
def seed_catalogue() -> list[str]:
    if db.scalar(select(Category.id).limit(1)) is not None:
        return []
    categories: dict[str, Category] = {}
    for position, (slug, title, description) in enumerate(CATEGORIES):
        categories[slug] = Category(slug=slug, title=title, description=description, position=position)
        db.add(categories[slug])
    queues = {queue.code: queue for queue in db.scalars(select(Queue))}
    for slug, category_slug, queue_code, popular, title, summary in SERVICES:
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
