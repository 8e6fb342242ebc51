from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.dashboard, name="reports"),
    path("reports/disproportionality/", views.disproportionality, name="reports-disproportionality"),
    path("reports/outcomes/", views.outcomes, name="reports-outcomes"),
    path("reports/returns/", views.returns_page, name="reports-returns"),
    path("reports/list/", views.drilldown, name="reports-list"),
    path("reports/exports/", views.exports, name="reports-exports"),
    path("reports/exports/new/", views.export_create, name="reports-export-create"),
    path("reports/exports/<int:pk>/download/", views.export_download, name="reports-export-download"),
]
