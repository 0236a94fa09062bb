# The portal's words for the VVSG action plan: steering.

## Timelines: the steering group's events.
event-steering-member-set = Lid van de stuurgroep aangesteld
event-steering-member-removed = Lid van de stuurgroep uitgeschreven
event-steering-meeting-planned = Vergadering van de stuurgroep gepland
event-steering-meeting-changed = Vergadering van de stuurgroep gewijzigd
event-steering-minutes-written = Notulen geschreven
event-steering-minutes-approved = Notulen goedgekeurd
event-steering-decision-recorded = Beslissing genoteerd
event-steering-action-given = Actiepunt toegewezen
event-steering-action-status-changed = Status van een actiepunt gewijzigd
