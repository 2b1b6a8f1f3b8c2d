from rest_framework.routers import SimpleRouter

from .views import AppViewSet, JobMessageViewSet, JobViewSet

router = SimpleRouter()
router.register("jobs", JobViewSet, basename="job")
router.register("job-messages", JobMessageViewSet, basename="job-message")
router.register("apps", AppViewSet, basename="app")
urlpatterns = router.urls
