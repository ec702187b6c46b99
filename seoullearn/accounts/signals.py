"""Signals other apps listen to (they never import our services to react to consent).

``consent_withdrawn(sender=ConsentRecord, record=<ConsentRecord>)`` is sent after the
transaction that withdrew a consent commits. What listeners are expected to stop, by notice
kind (``record.notice.kind``):

- ``guardian`` (a learner under 14): pending applications cannot be submitted
  (``accounts.selectors.may_apply`` is false again);
- ``learning_data``: new learning records are no longer analysed or used for recommendations;
- ``provider_sharing``: nothing more is shared with content providers and seats are returned;
- ``sensitive``: welfare-eligibility data is no longer processed (no new checks);
- ``terms`` / ``privacy``: the person stops using the platform; operators close the account.
"""

from __future__ import annotations

from django.dispatch import Signal

consent_withdrawn = Signal()
