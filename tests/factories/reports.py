"""Reports and data exports, as their request stores them (queued; no job runs)."""

from datetime import date

import factory

from app.models import DataExport, Report, ReportFormat
from tests.factories.base import BaseFactory
from tests.factories.users import owner_id


class ReportFactory(BaseFactory):
    class Meta:
        model = Report

    user_id = factory.LazyFunction(owner_id)
    requested_by_id = factory.SelfAttribute("user_id")
    format = ReportFormat.CSV
    date_from = date(2026, 1, 1)
    date_to = date(2026, 1, 31)


class DataExportFactory(BaseFactory):
    class Meta:
        model = DataExport

    user_id = factory.LazyFunction(owner_id)
