"""Demo data for programmes, cohorts and people. Idempotent: run it twice, get the same rows."""

import datetime
import unicodedata

from django.db import transaction

from leadership.models import User

from . import services
from .models import Cohort, Enrolment, Programme
from .programme_models import install_programme_models

DEMO_PASSWORD = "leadership-demo-2026"
DEMO_DOMAIN = "demo.example.org"

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


def demo_email(local: str) -> str:
    """An address for a demo person: "Siobhán O'Neill" becomes siobhan.oneill@…"""
    ascii_only = unicodedata.normalize("NFKD", local).encode("ascii", "ignore").decode()
    return f"{ascii_only.lower().replace(' ', '').replace(chr(39), '')}@{DEMO_DOMAIN}"


def _person(first, last, profession, job_title, department, *, local=None, password=None):
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
            organisation="Waitematā District Health Board",
            acting_user=None,
            password=password,
        )
    return person


def _enrol(cohort: Cohort, person: User, role: str) -> None:
    if not Enrolment.objects.filter(cohort=cohort, person=person, role=role).exists():
        services.enrolment_create(cohort=cohort, person=person, role=role, acting_user=None)


@transaction.atomic
def load(today: datetime.date) -> list[tuple[str, str]]:
    """Create the demo programme office; returns (e-mail, what it is) for each demo login."""
    programmes = {p.slug: p for p in install_programme_models()}
    ecm = programmes["enhanced-care-management"]

    logins = {}
    for local, first, last, profession, title, _label in ROLE_LOGINS:
        logins[local] = _person(
            first, last, profession, title, "", local=local, password=DEMO_PASSWORD
        )
    for programme in Programme.objects.all():
        programme.administrators.add(logins["admin"])

    running = Cohort.objects.filter(programme=ecm, name="Cohort 3").first()
    if running is None:
        running = services.cohort_create(
            programme=ecm,
            name="Cohort 3",
            starts_on=today - datetime.timedelta(weeks=20),
            status=Cohort.Status.RUNNING,
            venue_name="Waitematā Learning Centre",
            venue_address="124 Shakespeare Road, Takapuna, Auckland 0622",
            acting_user=logins["admin"],
        )
    _enrol(running, logins["participant"], Enrolment.Role.PARTICIPANT)
    for first, last, profession, title, department in RUNNING_COHORT_PEOPLE[1:]:
        person = _person(first, last, profession, title, department)
        _enrol(running, person, Enrolment.Role.PARTICIPANT)
    _enrol(running, logins["leader"], Enrolment.Role.CLINICAL_LEADER)
    _enrol(running, logins["faculty"], Enrolment.Role.FACULTY)

    return [(logins[local].email, label) for local, *_rest, label in ROLE_LOGINS]
