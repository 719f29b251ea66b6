from django.apps import AppConfig


class RedesignProjectsConfig(AppConfig):
    name = "redesign_projects"
    verbose_name = "Redesign teams and assignments"
