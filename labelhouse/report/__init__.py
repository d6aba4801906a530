"""The stakeholder report site: pages as code in reports/pages, rendered to static HTML."""

from labelhouse.report.pages import ReportPageError
from labelhouse.report.render import render_site

__all__ = ["ReportPageError", "render_site"]
