# The portal's words for the VVSG action plan: steering.

## Timelines: the steering group's events.
event-steering-member-set = Steering group member appointed
event-steering-member-removed = Steering group member removed
event-steering-meeting-planned = Steering group meeting planned
event-steering-meeting-changed = Steering group meeting changed
event-steering-minutes-written = Minutes written
event-steering-minutes-approved = Minutes approved
event-steering-decision-recorded = Decision recorded
event-steering-action-given = Action item given
event-steering-action-status-changed = Action item's status changed
