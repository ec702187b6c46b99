"""Signals other apps listen to (so eligibility never imports them).

``membership_ended(sender, membership, reason)``: sent after a membership expires or is
revoked, inside the same transaction; listeners release seats, end matches, etc.
"""

from __future__ import annotations

import django.dispatch

membership_ended = django.dispatch.Signal()
membership_started = django.dispatch.Signal()
