"""What changed for families, for managers and their boards: every outcome figure, its
one-sentence definition, and the families behind it. Outcomes belong to families: nothing here
ranks families or workers, and there are no figures per worker."""

from db.outcomes.definitions import *  # noqa: F403
from db.outcomes.figures import *  # noqa: F403
from db.outcomes.report import *  # noqa: F403
