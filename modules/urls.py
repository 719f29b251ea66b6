app_name = "modules"

urlpatterns: list = []
