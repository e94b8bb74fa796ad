"""Distribution of promotion versions to channels: targets, validation, payloads, deployment tracking.

Pure: the master data it needs comes in as a :class:`MasterView` snapshot.
"""
