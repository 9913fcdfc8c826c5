"""The benchmark's floor: the app shell (login state, session check, guard, navigation, audit)
around an empty body. Only bench/run.py adds this page to the navigation; the app never does."""

from components.auth import guard

guard()
