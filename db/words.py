"""What people see instead of stored values.

Staff screens may use staff words; anything a family can see uses family words. A term that
must never appear anywhere (see plain_language.csv) is never used here either.
"""

from __future__ import annotations

import enum

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
    FamilyStatus.waiting: "Waiting to meet your worker",
    FamilyStatus.working_together: "Working together",
    FamilyStatus.keeping_in_touch: "Keeping in touch",
    FamilyStatus.closed: "Closed",
}
RHYTHM = {
    Rhythm.weekly: "Every week",
    Rhythm.fortnightly: "Every two weeks",
    Rhythm.monthly: "Every month",
    Rhythm.every_two_months: "Every two months",
}
RHYTHM_DAYS = {
    Rhythm.weekly: 7,
    Rhythm.fortnightly: 14,
    Rhythm.monthly: 31,
    Rhythm.every_two_months: 62,
}
RELATIONSHIP = {
    Relationship.child: "Child",
    Relationship.parent: "Parent",
    Relationship.carer: "Carer",
    Relationship.grandparent: "Grandparent",
    Relationship.brother_or_sister: "Brother or sister",
    Relationship.other_family: "Other family",
    Relationship.friend: "Friend",
    Relationship.neighbour: "Neighbour",
    Relationship.professional: "Professional",
}
RELATIONSHIP_ROLE = {
    RelationshipRole.lead: "Main worker",
    RelationshipRole.supporting: "Also working with you",
}
END_REASON = {
    EndReason.worker_left: "Worker left",
    EndReason.sickness: "Sickness",
    EndReason.team_change: "Team change",
    EndReason.family_asked: "The family asked",
    EndReason.family_closed: "We stopped working together",
}
MEETING_KIND = {
    MeetingKind.home_visit: "Home visit",
    MeetingKind.call: "Call",
    MeetingKind.family_meeting: "Family meeting",
    MeetingKind.family_group_conference: "Family group conference",
    MeetingKind.plan_catch_up: "Catch-up on the plan",
    MeetingKind.group_session: "Group session",
    MeetingKind.other: "Other",
}
MEETING_STATUS = {
    MeetingStatus.planned: "Planned",
    MeetingStatus.held: "Happened",
    MeetingStatus.cancelled: "Called off",
}
VISIBILITY = {
    Visibility.everyone: "Everyone at a family meeting",
    Visibility.family: "The household",
    Visibility.private: "Just them and their workers",
}
CONVERSATION_COLUMN = {
    ConversationColumn.going_well: "What's going well",
    ConversationColumn.hard: "What's hard",
    ConversationColumn.needs_to_happen: "What needs to happen",
}
GOAL_STATUS = {
    GoalStatus.working_on_it: "Working on it",
    GoalStatus.achieved: "Achieved",
    GoalStatus.set_aside: "Put to one side for now",
}
HELP_KIND = {
    HelpKind.food: "Food",
    HelpKind.money: "Money",
    HelpKind.grant: "Grant",
    HelpKind.debt_advice: "Debt advice",
    HelpKind.housing: "Housing",
    HelpKind.equipment: "Equipment",
    HelpKind.other: "Other help",
}
NOTE_KIND = {
    NoteKind.huddle: "Huddle note",
    NoteKind.oversight: "Manager's note",
    NoteKind.worry_shared: "Worry shared with social work",
}
RECORDS_REQUEST_STATUS = {
    RecordsRequestStatus.asked: "Waiting for a manager to approve",
    RecordsRequestStatus.approved: "Approved: the copy can be prepared",
    RecordsRequestStatus.refused: "Turned down",
    RecordsRequestStatus.prepared: "Copy prepared",
}
WORKER_VIEW = "worker's view"
WHOLE_FAMILY = "The whole family"

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
