"""Pure helpers shared by domains: dates in a person's timezone, SQL dialect helpers, streaks, file jobs.

They may import models, extensions and the app's infrastructure (errors, queueing), never a service,
an integration, a blueprint or a job.
"""
