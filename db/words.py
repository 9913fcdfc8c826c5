"""What people see instead of stored values.

Staff screens may use staff words; anything a family can see uses family words. A term that
must never appear anywhere (see plain_language.csv) is never used here either.
"""

from __future__ import annotations

import enum

from db.i18n import N_
from db.store.models import (
    ConversationColumn,
    EndReason,
    FamilyStatus,
    GoalStatus,
    HelpKind,
    MeetingKind,
    MeetingStatus,
    NoteKind,
    RecordsRequestStatus,
    Relationship,
    RelationshipRole,
    Rhythm,
    Visibility,
)

FAMILY_STATUS = {
    FamilyStatus.waiting: N_("Waiting to meet a worker"),
    FamilyStatus.working_together: N_("Working together"),
    FamilyStatus.keeping_in_touch: N_("Keeping in touch"),
    FamilyStatus.closed: N_("Closed"),
}
RHYTHM = {
    Rhythm.weekly: N_("Every week"),
    Rhythm.fortnightly: N_("Every two weeks"),
    Rhythm.monthly: N_("Every month"),
    Rhythm.every_two_months: N_("Every two months"),
}
RHYTHM_DAYS = {
    Rhythm.weekly: 7,
    Rhythm.fortnightly: 14,
    Rhythm.monthly: 31,
    Rhythm.every_two_months: 62,
}
RELATIONSHIP = {
    Relationship.child: N_("Child"),
    Relationship.parent: N_("Parent"),
    Relationship.carer: N_("Carer"),
    Relationship.grandparent: N_("Grandparent"),
    Relationship.brother_or_sister: N_("Brother or sister"),
    Relationship.other_family: N_("Other family"),
    Relationship.friend: N_("Friend"),
    Relationship.neighbour: N_("Neighbour"),
    Relationship.professional: N_("Professional"),
}
RELATIONSHIP_ROLE = {
    RelationshipRole.lead: N_("Main worker"),
    RelationshipRole.supporting: N_("Also working with you"),
}
END_REASON = {
    EndReason.worker_left: N_("Worker left"),
    EndReason.sickness: N_("Sickness"),
    EndReason.team_change: N_("Team change"),
    EndReason.family_asked: N_("The family asked"),
    EndReason.family_closed: N_("We stopped working together"),
}
MEETING_KIND = {
    MeetingKind.home_visit: N_("Home visit"),
    MeetingKind.call: N_("Call"),
    MeetingKind.family_meeting: N_("Family meeting"),
    MeetingKind.family_group_conference: N_("Family group conference"),
    MeetingKind.plan_catch_up: N_("Catch-up on the plan"),
    MeetingKind.group_session: N_("Group session"),
    MeetingKind.other: N_("Other"),
}
MEETING_STATUS = {
    MeetingStatus.planned: N_("Planned"),
    MeetingStatus.held: N_("Happened"),
    MeetingStatus.cancelled: N_("Called off"),
}
VISIBILITY = {
    Visibility.everyone: N_("Everyone at a family meeting"),
    Visibility.family: N_("The household"),
    Visibility.private: N_("Just them and their workers"),
}
CONVERSATION_COLUMN = {
    ConversationColumn.going_well: N_("What's going well"),
    ConversationColumn.hard: N_("What's hard"),
    ConversationColumn.needs_to_happen: N_("What needs to happen"),
}
GOAL_STATUS = {
    GoalStatus.working_on_it: N_("Working on it"),
    GoalStatus.achieved: N_("Achieved"),
    GoalStatus.set_aside: N_("Put to one side for now"),
}
HELP_KIND = {
    HelpKind.food: N_("Food"),
    HelpKind.money: N_("Money"),
    HelpKind.grant: N_("Grant"),
    HelpKind.debt_advice: N_("Debt advice"),
    HelpKind.housing: N_("Housing"),
    HelpKind.equipment: N_("Equipment"),
    HelpKind.other: N_("Other help"),
}
NOTE_KIND = {
    NoteKind.huddle: N_("Huddle note"),
    NoteKind.oversight: N_("Manager's note"),
    NoteKind.worry_shared: N_("Worry shared with social work"),
}
RECORDS_REQUEST_STATUS = {
    RecordsRequestStatus.asked: N_("Waiting for a manager to approve"),
    RecordsRequestStatus.approved: N_("Approved: the copy can be prepared"),
    RecordsRequestStatus.refused: N_("Turned down"),
    RecordsRequestStatus.prepared: N_("Copy prepared"),
}
WORKER_VIEW = N_("worker's view")
WHOLE_FAMILY = N_("The whole family")

# Every enum's words, so a copy of the records can show any stored value in plain words.
WORDS_BY_ENUM: dict[type[enum.Enum], dict] = {
    FamilyStatus: FAMILY_STATUS,
    Rhythm: RHYTHM,
    Relationship: RELATIONSHIP,
    RelationshipRole: RELATIONSHIP_ROLE,
    EndReason: END_REASON,
    MeetingKind: MEETING_KIND,
    MeetingStatus: MEETING_STATUS,
    Visibility: VISIBILITY,
    ConversationColumn: CONVERSATION_COLUMN,
    GoalStatus: GOAL_STATUS,
    HelpKind: HELP_KIND,
    NoteKind: NOTE_KIND,
    RecordsRequestStatus: RECORDS_REQUEST_STATUS,
}
