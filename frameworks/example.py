"""The example framework the product ships (written for this product; it copies no published
framework). A data migration installs it; administrators may choose it or import their own."""

EXAMPLE_NAME = "Leading care together (example)"
EXAMPLE_DESCRIPTION = (
    "A short framework for clinicians and managers who lead the redesign of a service: five "
    "dimensions, three behaviours each, rated from 1 (rarely) to 5 (consistently)."
)
# (dimension, its description, its behaviour statements)
EXAMPLE_DIMENSIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Setting direction",
        "Knowing where the service needs to go and keeping the work pointed there.",
        (
            "I explain where our service needs to get to and why it matters to patients.",
            "I connect my team's daily work to a few clear aims.",
            "I decide which work to stop, as well as which to start.",
        ),
    ),
    (
        "Working across boundaries",
        "Building the relationships with other teams that care depends on.",
        (
            "I seek out the people in other services whose work affects my patients.",
            "I settle disagreements between teams by looking at shared evidence together.",
            "I treat managers and clinicians as equal partners in decisions.",
        ),
    ),
    (
        "Improving with data",
        "Testing changes and judging them by what the measures show over time.",
        (
            "I look at a measure over time before I judge whether a change worked.",
            "I try a change on a small scale before spreading it.",
            "I share what did not work so that others can learn from it.",
        ),
    ),
    (
        "Growing others",
        "Helping colleagues take on leadership themselves.",
        (
            "I give colleagues specific feedback soon after I see their work.",
            "I hand others the chance to lead pieces of work.",
            "I ask for feedback on my own leadership and act on it.",
        ),
    ),
    (
        "Sustaining people and safety",
        "Keeping the team well and making it safe to speak up.",
        (
            "I notice when pressure is affecting my team and do something about it.",
            "I make it safe for anyone to raise a concern about care.",
            "I protect time to reflect on how I am leading.",
        ),
    ),
)
