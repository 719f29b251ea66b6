"""Demo data for programmes, cohorts and people. Idempotent: run it twice, get the same rows."""

import datetime
import unicodedata

from django.db import transaction

from cohorts import services
from cohorts.models import Cohort, Enrolment, Programme
from leadership.models import User
from modules.services import programme_models_install

DEMO_PASSWORD = "leadership-demo-2026"
DEMO_DOMAIN = "demo.example.org"
WAITEMATA = "Waitematā District Health Board"

# (first name, last name, profession, job title, department)
RUNNING_COHORT_PEOPLE = [
    ("Aroha", "Ngata", "doctor", "Consultant Physician", "General Medicine"),
    ("Siobhán", "O'Neill", "nurse", "Charge Nurse Manager", "Emergency Department"),
    ("Wiremu", "Tāwhai", "doctor", "Clinical Director", "Orthopaedics"),
    ("Priya", "Raghunathan", "doctor", "Consultant Geriatrician", "Older Adults"),
    ("James", "McAllister", "manager", "Service Manager", "Surgical Services"),
    ("Mele", "Fifita", "nurse", "Nurse Practitioner", "Respiratory"),
    ("Hannah", "Whitfield-Jones", "allied_health", "Physiotherapy Lead", "Allied Health"),
    ("Chen", "Wei", "doctor", "Consultant Anaesthetist", "Anaesthesia"),
    ("Tama", "Herewini", "manager", "Operations Manager", "Emergency Department"),
    ("Sarah", "Kowalski", "allied_health", "Clinical Pharmacist", "Pharmacy"),
    ("Rangi", "Pōmare", "doctor", "Senior Medical Officer", "Emergency Department"),
    ("Fiona", "Gallagher", "nurse", "Nurse Unit Manager", "Cardiology"),
    ("Daniel", "Okonkwo", "doctor", "Consultant Cardiologist", "Cardiology"),
    ("Lucy", "Brennan", "manager", "Business Manager", "Medical Services"),
    ("Anaru", "Walker", "allied_health", "Occupational Therapist", "Older Adults"),
    ("Mei", "Lin", "doctor", "Consultant Paediatrician", "Child Health"),
    ("Tom", "Hargreaves", "manager", "Service Improvement Manager", "Quality and Safety"),
    ("Ngaire", "Te Whata", "nurse", "Clinical Nurse Specialist", "Diabetes"),
    ("Rohan", "Mehta", "doctor", "Consultant Endocrinologist", "Diabetes"),
    ("Ella", "Thompson", "allied_health", "Dietitian", "Nutrition"),
    ("Hemi", "Parata", "manager", "Service Manager", "Mental Health"),
    ("Katarzyna", "Nowak", "doctor", "Consultant Psychiatrist", "Mental Health"),
    ("Grace", "Tupou", "nurse", "Associate Director of Nursing", "Surgical Services"),
    ("Oliver", "Bennett", "doctor", "Consultant General Surgeon", "Surgical Services"),
    ("Ana", "Silva", "allied_health", "Speech-Language Therapist", "Neurology"),
    ("Matiu", "Rāwiri", "doctor", "Consultant Neurologist", "Neurology"),
    ("Emily", "Fraser", "manager", "Clinical Governance Manager", "Quality and Safety"),
    ("Sione", "Vaipulu", "nurse", "Charge Nurse", "Renal"),
    ("Nadia", "Haddad", "doctor", "Consultant Nephrologist", "Renal"),
    ("Ben", "Carter", "manager", "Patient Flow Manager", "Operations"),
    ("Kiri", "Moana", "other_clinical", "Midwife Manager", "Women's Health"),
    ("Isabella", "Rossi", "doctor", "Consultant Obstetrician", "Women's Health"),
    ("Jack", "Morrison", "allied_health", "Radiographer Lead", "Radiology"),
    ("Amira", "Khan", "doctor", "Consultant Radiologist", "Radiology"),
    ("Hōhepa", "Kingi", "nurse", "Nurse Educator", "Education"),
    ("Charlotte", "Davies", "manager", "Finance Business Partner", "Finance"),
    ("Samuel", "Adeyemi", "doctor", "Consultant Respiratory Physician", "Respiratory"),
    ("Zoe", "Mitchell", "allied_health", "Social Worker", "Older Adults"),
    ("Tui", "Hēnare", "manager", "Primary Care Liaison Manager", "Primary Care"),
    ("Liam", "O'Connor", "doctor", "General Practitioner Liaison", "Primary Care"),
    ("Ruth", "Abernethy", "nurse", "District Nurse Team Leader", "Community Health"),
    ("Arjun", "Patel", "doctor", "Consultant Gastroenterologist", "Gastroenterology"),
    ("Moana", "Tuhiwai", "other_clinical", "Clinical Psychologist", "Mental Health"),
    ("Georgia", "Hughes", "manager", "Workforce Manager", "People and Culture"),
    ("Paora", "Reihana", "nurse", "Charge Nurse Manager", "Orthopaedics"),
]

ROLE_LOGINS = [
    # (e-mail local part, first, last, profession, job title, what they are)
    ("admin", "Alexandra", "Reid", "manager", "Programme Manager", "programme administrator"),
    ("leader", "Richard", "Bohmer", "doctor", "Chief Medical Officer", "clinical leader"),
    ("faculty", "Margaret", "Ellis", "other", "Leadership Faculty", "faculty"),
    ("participant", "Aroha", "Ngata", "doctor", "Consultant Physician", "participant"),
]


# The completed cohort of the same programme, a year and more ago.
COMPLETED_COHORT_PEOPLE = [
    (first, last, profession, title, department)
    for (first, last), (profession, title, department) in zip(
        [
            ("Marama", "Tūhoe"),
            ("David", "Llewellyn"),
            ("Anjali", "Sharma"),
            ("Peter", "Van der Berg"),
            ("Losa", "Fa'asalele"),
            ("Catherine", "Doyle"),
            ("Tāne", "Mahuta"),
            ("Helen", "Tsang"),
            ("Robert", "MacLeod"),
            ("Awhina", "Rēweti"),
            ("Simon", "Ashworth"),
            ("Leilani", "Kahananui"),
            ("Mark", "Fitzgerald"),
            ("Yuki", "Tanaka"),
            ("Hine", "Te Rangi"),
            ("Andrew", "Sinclair"),
            ("Farah", "Qureshi"),
            ("Nikau", "Hāpeta"),
            ("Joanna", "Wiśniewska"),
            ("Callum", "Ross"),
            ("Ruby", "Ngāwhika"),
            ("Stephen", "Oduya"),
            ("Maiava", "Leota"),
            ("Alison", "Cheung"),
            ("Te Ariki", "Morehu"),
            ("Bridget", "O'Sullivan"),
            ("Vikram", "Nair"),
            ("Louise", "Hart"),
            ("Manaia", "Kerehoma"),
            ("Gareth", "Pryce"),
            ("Shanti", "Pillai"),
            ("Matthew", "Drummond"),
            ("Erana", "Paki"),
            ("Olga", "Petrova"),
            ("Tevita", "Taufa"),
            ("Claire", "Beaumont"),
        ],
        [
            ("doctor", "Consultant Physician", "General Medicine"),
            ("nurse", "Charge Nurse Manager", "Surgical Services"),
            ("manager", "Service Manager", "Child Health"),
            ("allied_health", "Physiotherapy Team Leader", "Allied Health"),
            ("doctor", "Clinical Director", "Emergency Department"),
            ("nurse", "Clinical Nurse Specialist", "Older Adults"),
        ]
        * 6,
        strict=True,
    )
]

# The primary-care network cohort (Tower Hamlets): GPs, nurse practitioners, practice managers.
PRIMARY_CARE_PEOPLE = [
    ("Nasreen", "Begum", "doctor", "GP Partner", "Jubilee Street Practice"),
    ("Oliver", "Hastings", "doctor", "Salaried GP", "Whitechapel Health"),
    ("Shirin", "Ahmed", "nurse", "Nurse Practitioner", "Stepney Green Surgery"),
    ("Tom", "Eccleston", "manager", "Practice Manager", "Jubilee Street Practice"),
    ("Rahima", "Khatun", "manager", "Practice Manager", "Whitechapel Health"),
    ("Kwame", "Asante", "doctor", "GP Partner", "Harford Health Centre"),
    ("Sophie", "Lindqvist", "nurse", "Advanced Nurse Practitioner", "Harford Health Centre"),
    ("Imran", "Chowdhury", "doctor", "GP Clinical Lead", "Stepney Green Surgery"),
    ("Bernadette", "Kelly", "nurse", "Practice Nurse Lead", "Whitechapel Health"),
    ("Dev", "Malhotra", "manager", "Operations Manager", "Network Office"),
    ("Aisha", "Rahman", "allied_health", "Clinical Pharmacist", "Network Office"),
    ("Harriet", "Mole", "doctor", "Salaried GP", "Jubilee Street Practice"),
    ("Fatima", "Uddin", "nurse", "Nurse Practitioner", "Jubilee Street Practice"),
    ("George", "Whitaker", "manager", "Practice Manager", "Stepney Green Surgery"),
    ("Polly", "Ng", "doctor", "GP Partner", "Whitechapel Health"),
    ("Samir", "Haque", "allied_health", "First Contact Physiotherapist", "Network Office"),
    ("Eleanor", "Price", "manager", "Practice Manager", "Harford Health Centre"),
    ("Joseph", "Adebayo", "doctor", "GP Registrar Supervisor", "Harford Health Centre"),
]
# The primary-care participant who logs in with the demo password: she leads the COPD
# outcome project and has a peer review to write (``demo.redesign_projects``).
PRIMARY_CARE_LOGIN = ("Nasreen", "Begum")
PRIMARY_CARE_LOGIN_LABEL = "Tower Hamlets participant"

# The clinician–manager partnership cohort (Guy's and St Thomas'): junior doctors and managers,
# twelve of each, for pairing.
PARTNERSHIP_DOCTORS = [
    ("Amelia", "Clarke", "Foundation Year 2 Doctor", "Acute Medicine"),
    ("Rhys", "Evans", "Core Surgical Trainee", "General Surgery"),
    ("Priyanka", "Desai", "Specialty Registrar (ST3)", "Cardiology"),
    ("Tobias", "Green", "Foundation Year 2 Doctor", "Emergency Department"),
    ("Zainab", "Hussain", "Specialty Registrar (ST4)", "Paediatrics"),
    ("Harry", "Lawson", "Core Medical Trainee", "Respiratory"),
    ("Ngozi", "Eze", "Specialty Registrar (ST2)", "Obstetrics and Gynaecology"),
    ("Felix", "Brandt", "Foundation Year 2 Doctor", "Renal"),
    ("Isla", "Murray", "Specialty Registrar (ST5)", "Anaesthetics"),
    ("Kofi", "Mensah", "Core Psychiatry Trainee", "Mental Health"),
    ("Lydia", "Chow", "Specialty Registrar (ST3)", "Haematology"),
    ("Owen", "Parry", "Foundation Year 2 Doctor", "Orthopaedics"),
]
PARTNERSHIP_MANAGERS = [
    ("Beatrice", "Holloway", "Service Manager", "Acute Medicine"),
    ("Marcus", "Reid-Campbell", "General Manager", "Surgery"),
    ("Sunita", "Rao", "Operational Manager", "Cardiovascular"),
    ("Daniel", "Fletcher", "Patient Flow Manager", "Emergency Department"),
    ("Grace", "Okafor", "Service Manager", "Evelina Children's Services"),
    ("Liam", "Doherty", "Business Manager", "Respiratory"),
    ("Hannah", "Stein", "Deputy General Manager", "Women's Services"),
    ("Joel", "Baptiste", "Service Manager", "Renal"),
    ("Megan", "Pritchard", "Theatres Manager", "Perioperative Services"),
    ("Adebola", "Ogun", "Operational Manager", "Mental Health Liaison"),
    ("Chloe", "Sutherland", "Service Manager", "Haematology"),
    ("Nathan", "Cole", "Business Manager", "Orthopaedics"),
]


def demo_email(local: str) -> str:
    """An address for a demo person: "Siobhán O'Neill" becomes siobhan.oneill@…"""
    ascii_only = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
    return f"{ascii_only.lower().replace(' ', '').replace(chr(39), '')}@{DEMO_DOMAIN}"


def _person(
    first,
    last,
    profession,
    job_title,
    department,
    *,
    local=None,
    password=None,
    organisation=WAITEMATA,
):
    email = demo_email(local or f"{first}.{last}")
    person = User.objects.filter(email=email).first()
    if person is None:
        person = services.person_create(
            email=email,
            first_name=first,
            last_name=last,
            profession=profession,
            job_title=job_title,
            department=department,
            organisation=organisation,
            acting_user=None,
            password=password,
        )
    return person


def _enrol(cohort: Cohort, person: User, role: str) -> None:
    if not Enrolment.objects.filter(cohort=cohort, person=person, role=role).exists():
        services.enrolment_create(cohort=cohort, person=person, role=role, acting_user=None)


def _cohort(programme: Programme, name: str, admin: User, **fields) -> tuple[Cohort, bool]:
    cohort = Cohort.objects.filter(programme=programme, name=name).first()
    if cohort is not None:
        return cohort, False
    return services.cohort_create(programme=programme, name=name, acting_user=admin, **fields), True


def _load_completed_cohort(ecm: Programme, admin: User, today: datetime.date) -> None:
    """Cohort 2 ran a year and more ago: everyone in it completed."""
    cohort, created = _cohort(
        ecm,
        "Cohort 2",
        admin,
        starts_on=today - datetime.timedelta(weeks=80),
        status=Cohort.Status.RUNNING,
        venue_name="Waitematā Learning Centre",
        venue_address="124 Shakespeare Road, Takapuna, Auckland 0622",
    )
    if not created:
        return
    sponsor = _person("Helen", "Marsh", "doctor", "Director of Medicine", "Medical Services")
    _enrol(cohort, sponsor, Enrolment.Role.CLINICAL_LEADER)
    for first, last, profession, title, department in COMPLETED_COHORT_PEOPLE:
        person = _person(first, last, profession, title, department)
        _enrol(cohort, person, Enrolment.Role.PARTICIPANT)
    for enrolment in cohort.enrolments.filter(role=Enrolment.Role.PARTICIPANT):
        services.enrolment_set_status(
            enrolment=enrolment, status=Enrolment.Status.COMPLETED, acting_user=admin
        )
    services.cohort_set_status(cohort=cohort, status=Cohort.Status.COMPLETED, acting_user=admin)


def _load_uk_cohort(
    programme: Programme,
    name: str,
    admin: User,
    *,
    starts_on: datetime.date,
    organisation: str,
    venue: tuple[str, str],
    sponsor: tuple,
    faculty: tuple,
    participants: list[tuple],
    login: tuple[str, str] | None = None,
) -> None:
    cohort, created = _cohort(
        programme,
        name,
        admin,
        starts_on=starts_on,
        status=Cohort.Status.RUNNING,
        time_zone="Europe/London",
        holiday_region=Cohort.HolidayRegion.ENGLAND_WALES,
        venue_name=venue[0],
        venue_address=venue[1],
    )
    if not created:
        return
    _enrol(cohort, _person(*sponsor, organisation=organisation), Enrolment.Role.CLINICAL_LEADER)
    _enrol(cohort, _person(*faculty, organisation=organisation), Enrolment.Role.FACULTY)
    for first, last, profession, title, department in participants:
        person = _person(
            first,
            last,
            profession,
            title,
            department,
            organisation=organisation,
            password=DEMO_PASSWORD if (first, last) == login else None,
        )
        _enrol(cohort, person, Enrolment.Role.PARTICIPANT)


@transaction.atomic
def load(today: datetime.date) -> list[tuple[str, str]]:
    """Create the demo programme office; returns (e-mail, what it is) for each demo login.

    The three programmes; Enhanced Care Management's completed Cohort 2 and running Cohort 3
    (46 participants and the four demo logins); a running primary-care network cohort (one of
    its participants logs in too); and a
    running partnership cohort of twelve junior doctors and twelve managers. A cohort that
    exists already is left as it is, so a second run adds nothing."""
    programmes = {p.slug: p for p in programme_models_install()}
    ecm = programmes["enhanced-care-management"]

    logins = {}
    for local, first, last, profession, title, _label in ROLE_LOGINS:
        logins[local] = _person(
            first, last, profession, title, "", local=local, password=DEMO_PASSWORD
        )
    admin = logins["admin"]
    for programme in Programme.objects.all():
        programme.administrators.add(admin)

    _load_completed_cohort(ecm, admin, today)

    running = Cohort.objects.filter(programme=ecm, name="Cohort 3").first()
    if running is None:
        running = services.cohort_create(
            programme=ecm,
            name="Cohort 3",
            starts_on=today - datetime.timedelta(weeks=20),
            status=Cohort.Status.RUNNING,
            venue_name="Waitematā Learning Centre",
            venue_address="124 Shakespeare Road, Takapuna, Auckland 0622",
            acting_user=admin,
        )
    _enrol(running, logins["participant"], Enrolment.Role.PARTICIPANT)
    for first, last, profession, title, department in RUNNING_COHORT_PEOPLE[1:]:
        person = _person(first, last, profession, title, department)
        _enrol(running, person, Enrolment.Role.PARTICIPANT)
    _enrol(running, logins["leader"], Enrolment.Role.CLINICAL_LEADER)
    _enrol(running, logins["faculty"], Enrolment.Role.FACULTY)

    _load_uk_cohort(
        programmes["primary-care-network-leadership"],
        "2026 cohort",
        admin,
        starts_on=today - datetime.timedelta(weeks=16),
        organisation="Stepney and Whitechapel Primary Care Network",
        venue=("Mile End Hospital Education Centre", "Bancroft Road, London E1 4DG"),
        sponsor=("Anwar", "Miah", "doctor", "Clinical Director", "Network Office"),
        faculty=("Frances", "Gale", "other", "Leadership Coach (Healthskills)", ""),
        participants=PRIMARY_CARE_PEOPLE,
        login=PRIMARY_CARE_LOGIN,
    )
    _load_uk_cohort(
        programmes["clinician-manager-partnership"],
        "Partnership cohort 1",
        admin,
        starts_on=today - datetime.timedelta(weeks=6),
        organisation="Guy's and St Thomas' NHS Foundation Trust",
        venue=("Education Centre, St Thomas' Hospital", "Westminster Bridge Road, London SE1 7EH"),
        sponsor=(
            "Clare",
            "Whitmore",
            "doctor",
            "Deputy Medical Director",
            "Medical Director's Office",
        ),
        faculty=("Ian", "Castle", "manager", "Head of Organisational Development", "Workforce"),
        participants=[
            (first, last, "doctor", title, department)
            for first, last, title, department in PARTNERSHIP_DOCTORS
        ]
        + [
            (first, last, "manager", title, department)
            for first, last, title, department in PARTNERSHIP_MANAGERS
        ],
    )

    return [(logins[local].email, label) for local, *_rest, label in ROLE_LOGINS] + [
        (demo_email(".".join(PRIMARY_CARE_LOGIN)), PRIMARY_CARE_LOGIN_LABEL)
    ]
