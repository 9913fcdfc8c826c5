"""A family member's own space: their goals and scores, their plan, a few words for their worker.
Only for a family member's login (role family_member); every read and write is checked again
in db/family_space.py."""

from components import family_space_view
from components.auth import guard
from db.store.models import Role

actor = guard(Role.family_member)
family_space_view.own_space(actor)
