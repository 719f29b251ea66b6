from django.apps import AppConfig


class LearningSetsConfig(AppConfig):
    name = "learning_sets"
    verbose_name = "Action learning sets, leadership challenges and coaching"
