from django.urls import path

from . import views

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="register"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("me/", views.MeView.as_view(), name="me"),
    path("token/refresh/", views.RefreshView.as_view(), name="token-refresh"),
    path("users/", views.UsersView.as_view(), name="users"),
]
