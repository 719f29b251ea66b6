"""Frameworks, self-assessments and 360 feedback: the services and the selectors that hold
the anonymity rules."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from frameworks import reminders, selectors, services
from frameworks.models import (
    FeedbackResponse,
    FeedbackRound,
    Framework,
    Rater,
    RaterGroup,
)
from leadership.models import Notification
from tests.frameworks.helpers import (
    END,
    START,
    all_rated,
    answers,
    assess,
    example,
    invite,
    last_session_on,
    use_example,
)
from tests.pairings.helpers import enrol

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def running(cohort, administrator):
    """The cohort started a week ago and uses the example framework."""
    cohort.starts_on = TODAY - datetime.timedelta(days=7)
    cohort.save()
    use_example(cohort.programme, administrator)
    return cohort


# Frameworks -----------------------------------------------------------------------------------


def test_the_example_framework_ships_with_the_product():
    framework = example()
    assert framework.programme is None
    assert framework.dimensions.count() == 5
    assert all(d.statements.count() == 3 for d in framework.dimensions.all())


def test_an_import_lists_every_bad_row_and_saves_nothing(programme, administrator):
    text = (
        "dimension,dimension_description,statement\n"
        "Listening,,I listen first.\n"
        ",,I have no dimension.\n"
        "Listening,,\n"
        "Listening,,I listen first.\n"
        f"Deciding,,{'x' * 301}\n"
    )
    with pytest.raises(ValidationError) as refused:
        services.framework_import(
            programme=programme, name="Ours", description="", text=text, acting_user=administrator
        )
    messages = refused.value.message_dict["file"]
    assert [m.split(":")[0] for m in messages] == ["Row 3", "Row 4", "Row 5", "Row 6"]
    assert "already in “Listening”" in messages[2]
    assert not Framework.objects.filter(name="Ours").exists()


def test_an_import_saves_dimensions_and_statements_in_file_order(programme, administrator):
    text = (
        "Dimension,Statement,Dimension_description\n"
        "Listening,I listen first.,Hearing people out\n"
        "Deciding,I decide in time.,\n"
        "Listening,I check I understood.,\n"
    )
    framework = services.framework_import(
        programme=programme, name="Ours", description="", text=text, acting_user=administrator
    )
    dimensions = list(framework.dimensions.all())
    assert [d.name for d in dimensions] == ["Listening", "Deciding"]
    assert dimensions[0].description == "Hearing people out"
    assert [s.text for s in dimensions[0].statements.all()] == [
        "I listen first.",
        "I check I understood.",
    ]


def test_a_programme_cannot_change_framework_once_people_assessed_themselves(
    running, participant, administrator
):
    assess(running, participant, START, 3)
    other = services.framework_import(
        programme=running.programme,
        name="Ours",
        description="",
        text="dimension,statement\nA,One.\nB,Two.\n",
        acting_user=administrator,
    )
    with pytest.raises(ValidationError):
        services.programme_framework_choose(
            programme=running.programme, framework=other, acting_user=administrator
        )


# Self-assessments -----------------------------------------------------------------------------


def test_a_self_assessment_is_sent_once_and_only_in_its_window(running, participant):
    assess(running, participant, START, 3)
    with pytest.raises(ValidationError):
        assess(running, participant, START, 4)
    # The end window needs a last session; then it opens four weeks before it.
    with pytest.raises(ValidationError):
        assess(running, participant, END, 4)
    last_session_on(running, TODAY + datetime.timedelta(days=60))
    early = timezone.now()
    with pytest.raises(ValidationError):
        assess(running, participant, END, 4, now=early)
    assess(running, participant, END, 4, now=early + datetime.timedelta(days=40))


def test_the_to_do_lists_open_self_assessments_until_sent(running, participant):
    assert [w.kind for _c, w in selectors.open_self_assessments_by_cohort(participant)] == [START]
    assess(running, participant, START, 3)
    assert selectors.open_self_assessments_by_cohort(participant) == []


def test_a_profile_holds_only_the_viewers_own_answers(running, participant):
    other = enrol(running)
    assess(running, participant, START, lambda dimension, _s: dimension)
    assess(running, other, START, 1)
    profile = selectors.self_assessment_profile(running, participant)
    assert [row.start for row in profile.rows] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert [row.end for row in profile.rows] == [None] * 5
    assert "<svg" in profile.chart and "Setting direction" in profile.chart


# The cohort's paired statistics ---------------------------------------------------------------


def test_the_cohort_summary_pairs_start_and_end_per_person(running, participant):
    last_session_on(running, TODAY + datetime.timedelta(days=10))
    end_time = timezone.now() + datetime.timedelta(days=5)
    people = [participant, enrol(running), enrol(running), enrol(running)]
    # Three people change by +1, +2 and +3 in every dimension; the fourth sends only a start,
    # so they are not a pair.
    for person, start, end in zip(people[:3], [2, 1, 1], [3, 3, 4], strict=True):
        assess(running, person, START, start)
        assess(running, person, END, end, now=end_time)
    assess(running, people[3], START, 3)
    summary = selectors.cohort_learning_summary(running)
    first = summary.dimensions[0]
    assert first.name == "Setting direction"
    # Changes 1, 2, 3: mean 2; sd 1; se 1/√3; t(0.975, 2) = 4.302653; half-width 2.484138.
    assert first.change.pairs == 3
    assert first.change.mean == pytest.approx(2.0)
    assert first.change.low == pytest.approx(2 - 2.484138, abs=1e-5)
    assert first.change.high == pytest.approx(2 + 2.484138, abs=1e-5)
    assert summary.participants == 4


def test_the_cohort_summary_counts_360_responses(running, participant):
    invite(running, participant, email="a@raters.example.net")
    answers(running, participant, RaterGroup.PEER, [4])
    summary = selectors.cohort_learning_summary(running)
    assert (summary.raters_invited, summary.raters_responded) == (2, 1)
    assert summary.feedback_rounds == 1
    assert summary.response_rate == 0.5


def test_the_cohort_summary_takes_a_fixed_number_of_queries(
    running, participant, django_assert_num_queries
):
    # framework (+ its dimensions and statements: 3), participants, means, 360 counts.
    with django_assert_num_queries(6):
        selectors.cohort_learning_summary(running)


# 360: links ----------------------------------------------------------------------------------


def test_a_rater_link_is_long_stored_hashed_and_works_once(running, participant):
    rater, token = invite(running, participant, email="peer@raters.example.net")
    assert len(token) == 64  # 256 bits of HMAC-SHA256
    assert token not in (rater.token_hash, rater.nonce)
    assert not Rater.objects.filter(token_hash=token).exists()
    row = Notification.objects.get(dedup_key=f"feedback-request-{rater.pk}")
    assert row.to_address == "peer@raters.example.net"
    assert row.recipient == participant
    services.feedback_submit(token=token, ratings=all_rated(example(), 4))
    with pytest.raises(services.RaterLinkError) as used:
        services.feedback_submit(token=token, ratings=all_rated(example(), 1))
    assert used.value.reason == "used"
    assert FeedbackResponse.objects.count() == 1
    row.refresh_from_db()
    assert row.context == {}  # the link is gone from the outbox once answered


def test_a_guessed_or_expired_link_does_not_work(running, participant):
    rater, token = invite(running, participant)
    with pytest.raises(services.RaterLinkError) as unknown:
        services.rater_for_token(token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert unknown.value.reason == "unknown"
    later = rater.round.closes_at + datetime.timedelta(seconds=1)
    with pytest.raises(services.RaterLinkError) as closed:
        services.feedback_submit(token=token, ratings=all_rated(example(), 4), now=later)
    assert closed.value.reason == "closed"


def test_an_answer_is_stored_apart_from_the_rater(running, participant):
    rater, token = invite(running, participant, RaterGroup.MANAGER)
    response = services.feedback_submit(token=token, ratings=all_rated(example(), 4))
    assert {f.name for f in FeedbackResponse._meta.get_fields()}.isdisjoint({"rater", "email"})
    assert response.group == RaterGroup.MANAGER
    assert isinstance(response.submitted_on, datetime.date)
    assert not hasattr(Rater, "submitted_at")


def test_closing_a_360_erases_its_raters_addresses(running, participant):
    rater, _token = invite(running, participant, email="peer@raters.example.net")
    assert reminders.plan_feedback_reminders(timezone.now()) == 0
    after = rater.round.closes_at + datetime.timedelta(minutes=1)
    reminders.plan_feedback_reminders(after)
    rater.refresh_from_db()
    assert rater.email == ""
    assert FeedbackRound.objects.get(pk=rater.round_id).status == FeedbackRound.Status.CLOSED
    row = Notification.objects.get(dedup_key=f"feedback-request-{rater.pk}")
    assert "raters.example.net" not in row.to_address
    assert row.context == {}


def test_raters_are_reminded_at_most_twice(running, participant):
    rater, _token = invite(running, participant)
    start = rater.invited_at
    counts = [
        reminders.plan_feedback_reminders(start + datetime.timedelta(days=days))
        for days in (6, 7, 7, 13, 14, 20, 21, 27)
    ]
    assert counts == [0, 1, 0, 0, 1, 0, 0, 0]
    assert Notification.objects.filter(kind=Notification.Kind.FEEDBACK_REMINDER).count() == 2


def test_a_rater_who_answered_gets_no_reminder(running, participant):
    rater, token = invite(running, participant)
    services.feedback_submit(token=token, ratings=all_rated(example(), 4))
    assert reminders.plan_feedback_reminders(rater.invited_at + datetime.timedelta(days=8)) == 0


def test_rater_emails_go_to_the_rater_without_an_opt_out_link(
    running, participant, django_capture_on_commit_callbacks
):
    from leadership.notifications import send_due  # the outbox's sender, run here at once

    invite(running, participant, email="peer@raters.example.net")
    send_due()
    (message,) = mail.outbox
    assert message.to == ["peer@raters.example.net"]
    assert "/frameworks/feedback/" in message.body
    assert "To stop e-mails" not in message.body
    assert participant.get_full_name() in message.subject


# 360: the report's thresholds -----------------------------------------------------------------


def test_no_report_column_below_three_responses(running, participant):
    answers(running, participant, RaterGroup.PEER, [5, 5])
    report = selectors.feedback_report(running, participant)
    assert not report.visible
    assert report.columns == []
    assert report.withheld == 2


def test_a_group_of_three_gets_its_own_column(running, participant):
    assess(running, participant, START, 2)
    answers(running, participant, RaterGroup.PEER, [5, 4, 3])
    report = selectors.feedback_report(running, participant)
    labels = [c.label for c in report.columns]
    assert labels == ["All raters shown", "Peer"]
    assert report.columns[1].means == [4.0] * 5
    assert report.self_column.means == [2.0] * 5


def test_small_groups_merge_into_others_and_stay_hidden_while_too_small(running, participant):
    answers(running, participant, RaterGroup.PEER, [4, 4, 4])
    answers(running, participant, RaterGroup.MANAGER, [1])
    answers(running, participant, RaterGroup.REPORT, [2])
    report = selectors.feedback_report(running, participant)
    # Manager (1) + report (1) = 2 < 3: not shown, and not inside "All raters shown" either,
    # or subtracting the peer column would give them back.
    assert [c.label for c in report.columns] == ["All raters shown", "Peer"]
    assert report.columns[0].means == [4.0] * 5
    assert report.withheld == 2
    answers(running, participant, RaterGroup.OTHER, [5])
    report = selectors.feedback_report(running, participant)
    assert [c.label for c in report.columns] == ["All raters shown", "Peer", "Other colleagues"]
    assert report.columns[2].responses == 3
    assert report.columns[2].means == [pytest.approx((1 + 2 + 5) / 3)] * 5


def test_a_report_is_only_ever_the_viewers_own(running, participant):
    answers(running, participant, RaterGroup.PEER, [4, 4, 4])
    other = enrol(running)
    assert selectors.feedback_report(running, other) is None
