"""Every planner of time-based e-mails, in the order the sweep runs them. Each takes ``now``,
records what is due through the notifications outbox, is idempotent (dedup keys) and returns
how many rows it created. A new kind of reminder is added here."""

from evaluation.reminders import plan_evaluation_reminders, plan_session_evaluations
from frameworks.reminders import plan_feedback_reminders
from measures.timeliness import plan_measure_data_reminders
from modules.reminders import (
    plan_register_office_notices,
    plan_register_reminders,
    plan_session_reminders,
)
from redesign_projects.reminders import (
    plan_assignment_reminders,
    plan_faculty_digests,
    plan_peer_review_reminders,
)

from .digests import plan_leader_digests

PLANNERS = (
    plan_session_reminders,
    plan_register_reminders,
    plan_register_office_notices,
    plan_assignment_reminders,
    plan_faculty_digests,
    plan_leader_digests,
    plan_session_evaluations,
    plan_evaluation_reminders,
    plan_feedback_reminders,
    plan_peer_review_reminders,
    plan_measure_data_reminders,
)
