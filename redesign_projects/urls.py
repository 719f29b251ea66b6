app_name = "redesign_projects"

urlpatterns: list = []
