"""Assessments' reminders, run by the kernel's daily job (safeguarding.reminders): overdue interventions of safety
plans, the same way as panels' overdue actions."""

from safeguarding import commitments
from safeguarding.reminders import Run, reminder

from .services import INTERVENTIONS


@reminder
def overdue_interventions(run: Run) -> int:
    return commitments.remind_overdue(INTERVENTIONS, run)
