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

## The steering group's pages.
menu-steering = Steering group
steering-title = Steering group
steering-intro = The steering group of VVSG's Cybersecurity action plan: its meetings with agenda, minutes and decisions, and the actions it sets. Only its members and the programme administrator see it.
steering-meetings = Meetings
steering-meetings-caption = Meetings, latest first
steering-meeting = Meeting
steering-meeting-title = Title
steering-when = When
steering-place = Place
steering-minutes = Minutes
steering-minutes-approved = approved
steering-minutes-draft = draft
steering-minutes-none = No minutes yet.
steering-no-meetings = No meetings yet.
steering-open-actions = Open actions
steering-no-open-actions = No open actions.
steering-action = Action
steering-owner = Owner
steering-due = Due date
steering-status = Standing
steering-overdue = overdue
steering-members = Members
steering-plan = Plan a meeting
steering-plan-send = Plan the meeting
steering-agenda = Agenda
steering-agenda-hint = One agenda item per line.
steering-agenda-none = No agenda.
steering-report = Report for this meeting (PDF)
steering-report-hint = The report is put together from live data: the co-financing, the engagements with ethical hackers, the decisions and the actions.
steering-minutes-write = Minutes (Markdown)
steering-minutes-hint = Headings with #, lists with - or 1. The minutes are approved at the next meeting and are fixed after that.
steering-minutes-save = Save the minutes
steering-minutes-approve = Approve the minutes
steering-decisions = Decisions
steering-decisions-none = No decisions.
steering-decision-new = New decision
steering-decision-save = Record the decision
steering-actions = Actions
steering-actions-none = No actions.
steering-action-new = New action
steering-action-save = Assign the action
steering-mark-done = Done
steering-mark-dropped = Dropped
steering-reopen = Reopen
