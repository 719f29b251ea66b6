"""Demo data for blueprints: the shipped programmes completed as blueprints, and the
milestones of every demo cohort made before its programme had them (the Tower Hamlets
cohort's three leadership challenges and its project delivery, the System review
presentations, the partnership's shadowing and presentations). The demo's assignments are
made by ``demo.redesign_projects`` (the Tower Hamlets cohort's from its programme's assignment
template), so assignment templates are not added to cohorts here."""

import datetime

from django.db import transaction

from blueprints.services import programme_models_install
from cohorts.models import Cohort
from leadership.models import User
from modules.services import milestones_generate


@transaction.atomic
def load(today: datetime.date) -> None:
    """Install the blueprints (idempotent) and give each cohort without milestones its
    programme's; a second run adds nothing."""
    programme_models_install()
    admin = User.objects.filter(email="admin@demo.example.org").first()
    cohorts = Cohort.objects.filter(
        milestones__isnull=True, programme__milestone_templates__isnull=False
    )
    for cohort in cohorts.distinct().select_related("programme"):
        milestones_generate(cohort=cohort, acting_user=admin)
