"""Signals for what happens to a case, so notifications, webhooks and statistics can follow without the case
code knowing them (blinker, as Indico does).

Every signal but `case_submission_committed` is sent with the case as sender, inside the transaction that made
the change and after its timeline event was added, so a subscriber's writes (outbox jobs) commit or roll back
together with the change. Keyword arguments, all optional unless said otherwise:

- `case_submitted(case)`: in the submitting transaction, for what the resident must see at once (checklists)
- `case_submission_committed(case)`: sent by the worker (outbox job `case.submitted`) once the submission has
  committed, in a transaction of its own: receipts, webhooks and notifications follow this one, so that the
  submit request itself stays short
- `case_status_changed(case, old_status=str, new_status=str, event=CaseEvent)`
- `message_to_resident(case, message=<object with an id>, event=CaseEvent)`
- `completion_requested(case, completion=<object with an id>, due=date, event=CaseEvent)`
- `decision_made(case, decision=<object with an id>, outcome=str, event=CaseEvent)`
- `cosign_requested(case, recipient=Resident (required), request=<object with an id>)`

Subscribers tell one occurrence from the next by the `event` (or the named object's id); without either they use
the case's newest timeline event.
"""

from __future__ import annotations

from blinker import Namespace

__all__ = [
    "case_status_changed",
    "case_submission_committed",
    "case_submitted",
    "completion_requested",
    "cosign_requested",
    "decision_made",
    "message_to_resident",
]

case_signals = Namespace()

case_submitted = case_signals.signal("case-submitted")
case_submission_committed = case_signals.signal("case-submission-committed")
case_status_changed = case_signals.signal("case-status-changed")
message_to_resident = case_signals.signal("message-to-resident")
completion_requested = case_signals.signal("completion-requested")
decision_made = case_signals.signal("decision-made")
cosign_requested = case_signals.signal("cosign-requested")
