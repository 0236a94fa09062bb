"""schemathesis hooks for the contract test (tests/contract/run.sh)."""

import json

import schemathesis


@schemathesis.serializer("application/pdf")
def pdf(ctx, value):
    # An audit report is a PDF; generated bodies are sent as they are, and the API refuses what is
    # not a PDF (a 422 the document declares).
    if isinstance(value, bytes):
        return value
    return str(value).encode()


# The codes of a request refused for its form: a field missing, malformed or out of range, an
# unreadable body or query, text with a NUL, a bad Idempotency-Key. The document states all of
# these, so a request valid by the document must never meet one.
MALFORMED = {
    "invalid_field",
    "invalid_body",
    "invalid_query",
    "invalid_text",
    "invalid_idempotency_key",
}

# What a schema cannot state, by operation and the field a refusal names:
# - a file's content (a scanner report, a PDF, a CSV or YAML file, a picture): a generated file
#   is refused on its content;
# - a rule between fields, on a value's meaning or on today: a rate is at most 1 (a fraction
#   "p/q" with p <= q), the remediation terms grow from act to track, an amendment changes
#   something, triage takes at least as long as acknowledgement, additional work names its
#   scope, a system is a URL, host name or address, credit needs a name, a triage its outcome,
#   an engagement's window starts from today and is bounded, its scope names distinct systems,
#   a programme's dates lie in 2000-2099, a CVSS vector is one of its version's, a disclosure
#   date lies after the report's receipt and within two years, a duplicate names the report it
#   duplicates, an email address is one mail can be delivered to, a register's cursor is one the API
#   gave out.
# The document describes each of these in words.
BEYOND_A_SCHEMA = {
    "POST /api/v1/orders/{id}/imports": {"report"},
    "POST /api/v1/orders/{id}/audit-reports": {"report"},
    "POST /api/v1/reports/{id}/attachments": {"attachment", "file"},
    "POST /api/v1/catalogues": {"file"},
    "POST /api/v1/intel/epss": {"file"},
    "POST /api/v1/intel/kev": {"file"},
    "POST /api/v1/programmes": {"basic_rate", "additional_rate", "offer_starts_on", "offer_ends_on"},
    "POST /api/v1/programmes/{id}/amendments": {"remediation_terms", "amendment", "offer_ends_on"},
    "PUT /api/v1/model-policy/draft": {"targets", "contact_email"},
    "PUT /api/v1/governments/{nis}/policy/draft": {"targets", "contact_email"},
    "POST /api/v1/orders": {"scope"},
    "POST /api/v1/reports": {"target", "reporter_name", "cvss_vector", "reporter_email"},
    "POST /api/v1/engagements/{id}/findings": {"cvss_vector"},
    "POST /api/v1/reports/{id}/state": {"outcome", "disclose_on", "duplicate_of"},
    "POST /api/v1/engagements": {"starts_on", "ends_on", "scope"},
    "PUT /api/v1/engagements/{id}": {"starts_on", "ends_on", "scope"},
    # An end after the start, a deadline no later than the start, a place or a link, one line of
    # visible text, a host after https://.
    "POST /api/v1/awareness-events": {"ends_at", "registration_deadline", "place", "title", "online_url"},
    "PUT /api/v1/awareness-events/{id}": {"ends_at", "registration_deadline", "place", "title", "online_url"},
    "POST /api/v1/awareness-events/{id}/cancel": {"reason"},
    # One line of visible text; a date within the years the platform plans; a current member.
    "POST /api/v1/steering/meetings": {"title", "place", "agenda", "starts_at"},
    "PUT /api/v1/steering/meetings/{id}/minutes": {"minutes"},
    "POST /api/v1/steering/meetings/{id}/decisions": {"text"},
    "POST /api/v1/steering/meetings/{id}/actions": {"title", "owner_id", "due_on", "plan_item_id"},
    "POST /api/v1/steering/meetings/{id}/documents": {"document", "title"},
    # VVSG's grant: a PDF's content; costs within the grant's period and before today; an amount
    # within the grant; a rejection's reason; a payment up to today; a half-year that has ended;
    # the budgets within the grant; a person of VVSG; one line of visible text.
    "POST /api/v1/project-grants/{id}/claims": {"document", "costs_from", "costs_until", "amount", "work_package", "description"},
    "POST /api/v1/project-grants/{id}/claims/{claim_id}/decision": {"reason"},
    "POST /api/v1/project-grants/{id}/claims/{claim_id}/payment": {"paid_on", "payment_reference"},
    "POST /api/v1/project-grants/{id}/progress-reports": {"period_from", "text"},
    "POST /api/v1/project-grants/{id}/progress-reports/{report_id}/review": {"note"},
    "PUT /api/v1/project-grants/{id}/work-packages/{number}/budget": {"budget"},
    "POST /api/v1/project-grants/{id}/deliverables": {"work_package", "title", "planned_on", "done_on", "event_id", "toolkit_item_id"},
    "PUT /api/v1/project-grants/{id}/deliverables/{deliverable_id}": {"work_package", "title", "planned_on", "done_on", "event_id", "toolkit_item_id"},
    "POST /api/v1/project-grants/{id}/plan-items": {"work_package", "title", "owner_id", "due_on"},
    "PUT /api/v1/project-grants/{id}/plan-items/{item_id}": {"work_package", "title", "owner_id", "due_on"},
    # The toolkit: visible text only; the English whole or absent; distinct tags; a note to send
    # a version back; a date within the years the platform plans; an item that exists.
    "POST /api/v1/toolkit": {"slug", "tags", "audience", "title_nl", "summary_nl", "body_nl", "title_en", "summary_en", "body_en"},
    "PUT /api/v1/toolkit/{id}": {"slug", "tags", "audience", "title_nl", "summary_nl", "body_nl", "title_en", "summary_en", "body_en"},
    "POST /api/v1/toolkit/{id}/review": {"note"},
    "POST /api/v1/toolkit/{id}/files": {"file"},
    "POST /api/v1/toolkit/{id}/exercises": {"held_on", "participants", "lessons", "actions"},
    "PUT /api/v1/toolkit/{id}/checklist/{step}": {"step"},
    "PUT /api/v1/awareness-events/{id}/materials": {"items"},
    "POST /api/v1/toolkit-exercises/{id}/actions/{position}/finding": {"finding"},
    "GET /api/v1/toolkit": {"q"},
    # A risk is accepted until a day within the coming year.
    "POST /api/v1/findings/{id}/status": {"until"},
    # The baseline scan: a domain, host name, URL or public address (no range, no private
    # address); a kind among domain, host, application; a check the scanner has, on a subject
    # its latest scan reported, explained in visible text.
    "POST /api/v1/governments/{nis}/baseline/systems": {"name", "kind"},
    "POST /api/v1/governments/{nis}/baseline/explanations": {"check", "subject", "explanation"},
    # The figures exist up to today, for a day from 2000 on.
    "GET /api/v1/programmes/{id}/figures": {"at"},
    "GET /api/v1/programmes/{id}/figures/tables/{table}": {"at"},
    "GET /api/v1/programmes/{id}/parliament-answer": {"at", "format"},
    "GET /api/v1/open-data/figures.csv": {"at"},
    # An order's state among the order states (reports have their own).
    "GET /api/v1/exports/{list}": {"state"},
    # A quarter that has begun.
    "GET /api/v1/programmes/{id}/quarterly-report": {"quarter"},
    "GET /api/v1/open-data/README.md": {"at"},
    # The register's cursor is opaque: only one the API gave out (for the same sort) continues.
    "GET /api/v1/findings": {"cursor"},
    "GET /api/v1/findings/export": {"cursor"},
}


@schemathesis.check
def valid_requests_are_not_refused_as_malformed(ctx, response, case):
    """A request valid by the document is never refused for its form.

    schemathesis's own positive_data_acceptance wants every valid request accepted, but a
    valid request may still meet a rule of the programme (a budget exhausted, an order in a
    state that does not allow the step) or a conflict with the state of things: those answer
    422 or 409 with their own code, which no schema can foresee. What the document can and
    must state is the form; so a valid request refused with a code of MALFORMED, or with a
    status the document gives no rule for, breaks the contract.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    # schemathesis's coverage phase may label a bare number as a positive body for an operation
    # whose document asks for an object; such a body is not valid by the document.
    if isinstance(case.body, (bool, int, float)):
        return None
    status = response.status_code
    if status < 400 or status in (401, 403, 404, 409, 429) or status >= 500:
        return None
    try:
        problem = json.loads(response.content)
    except ValueError:
        problem = {}
    code = problem.get("code")
    field = problem.get("field")
    label = f"{case.method} {case.path}"
    if status == 422 and code not in MALFORMED:
        return None
    if code == "invalid_field" and field in BEYOND_A_SCHEMA.get(label, ()):
        return None
    raise AssertionError(
        f"A request valid by the document was refused as malformed: {status} {code}"
        f" (field {field}): {problem.get('detail')}"
    )
