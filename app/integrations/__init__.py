"""Outbound adapters: email, Telegram, file storage and Socket.IO emits.

They talk to the world and never commit: services call them (or queue their jobs) once their own
transaction is settled. They may import models, extensions and the app's infrastructure (queueing),
never a service, a blueprint or a job.
"""
