from django.urls import path

from . import views

urlpatterns = [
    path("assessments/", views.assessments, name="assessments"),
    path("assessments/of/<str:kind>/<int:pk>/", views.subject_assessments, name="subject-assessments"),
    path("assessments/start/<str:kind>/<int:pk>/", views.assessment_start, name="assessment-start"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment-edit"),
    path("assessments/<int:pk>/edit/<slug:key>/", views.assessment_section, name="assessment-section"),
    path("assessments/<int:pk>/decision/", views.assessment_decide, name="assessment-decide"),
    path("assessments/<int:pk>/change/", views.assessment_change, name="assessment-change"),
    path("assessments/<int:pk>/pdf/", views.assessment_pdf, name="assessment-pdf"),
    path("assessments/<int:pk>/requests/new/", views.contribution_new, name="contribution-new"),
    path("contributions/", views.contributions, name="contributions"),
    path("contributions/<int:pk>/", views.contribution_detail, name="contribution"),
    path("contributions/<int:pk>/withdraw/", views.contribution_withdraw, name="contribution-withdraw"),
    path("safety-plans/<str:kind>/<int:pk>/", views.safety_plan, name="safety-plan"),
    path("safety-plans/<str:kind>/<int:pk>/goals/new/", views.goal_new, name="goal-new"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal-edit"),
    path("goals/<int:pk>/interventions/new/", views.intervention_new, name="intervention-new"),
    path("interventions/<int:pk>/updates/new/", views.intervention_update, name="intervention-update"),
    path("frameworks/", views.framework_list, name="frameworks"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework"),
    path("frameworks/<int:pk>/edit/", views.framework_edit, name="framework-edit"),
]
