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

## The steering group's pages.
menu-steering = Stuurgroep
steering-title = Stuurgroep
steering-intro = De stuurgroep van het actieplan Cyberveiligheid van VVSG: haar vergaderingen met agenda, notulen en besluiten, en de acties die ze uitzet. Alleen de leden en de programmabeheerder zien ze.
steering-meetings = Vergaderingen
steering-meetings-caption = Vergaderingen, de laatste eerst
steering-meeting = Vergadering
steering-meeting-title = Titel
steering-when = Wanneer
steering-place = Plaats
steering-minutes = Notulen
steering-minutes-approved = goedgekeurd
steering-minutes-draft = ontwerp
steering-minutes-none = Nog geen notulen.
steering-no-meetings = Nog geen vergaderingen.
steering-open-actions = Openstaande acties
steering-no-open-actions = Geen openstaande acties.
steering-action = Actie
steering-owner = Eigenaar
steering-due = Vervaldatum
steering-status = Stand
steering-overdue = vervallen
steering-members = Leden
steering-plan = Een vergadering plannen
steering-plan-send = Vergadering plannen
steering-agenda = Agenda
steering-agenda-hint = Eén agendapunt per regel.
steering-agenda-none = Geen agenda.
steering-report = Rapport voor deze vergadering (PDF)
steering-report-hint = Het rapport wordt samengesteld uit de actuele gegevens: de cofinanciering, de samenwerkingen met ethische hackers, de besluiten en de acties.
steering-minutes-write = Notulen (Markdown)
steering-minutes-hint = Koppen met #, lijsten met - of 1. De notulen worden goedgekeurd op de volgende vergadering en liggen daarna vast.
steering-minutes-save = Notulen bewaren
steering-minutes-approve = Notulen goedkeuren
steering-decisions = Besluiten
steering-decisions-none = Geen besluiten.
steering-decision-new = Nieuw besluit
steering-decision-save = Besluit noteren
steering-actions = Acties
steering-actions-none = Geen acties.
steering-action-new = Nieuwe actie
steering-action-save = Actie toewijzen
steering-mark-done = Afgerond
steering-mark-dropped = Geschrapt
steering-reopen = Opnieuw openen
