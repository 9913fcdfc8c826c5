"""Continuity for managers: every figure, its one-sentence definition, and the
families behind it. Continuity figures support allocation and supervision; they never rank
workers."""

from db.continuity.definitions import *  # noqa: F403
from db.continuity.figures import *  # noqa: F403
from db.continuity.report import *  # noqa: F403
