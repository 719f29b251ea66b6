app_name = "pairings"

urlpatterns: list = []
