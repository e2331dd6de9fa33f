"""The assisted channel: resident lookup, filing on behalf, contact moments and callback requests."""
