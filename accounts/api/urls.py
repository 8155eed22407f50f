from django.urls import path

from accounts.api import views

app_name = "accounts"

sessions = views.SessionViewSet

urlpatterns = [
    path("auth/register", views.RegisterView.as_view(), name="register"),
    path("auth/email/verify", views.VerifyEmailView.as_view(), name="email-verify"),
    path("auth/login", views.LoginView.as_view(), name="login"),
    path("auth/otp/request", views.EmailCodeRequestView.as_view(), name="otp-request"),
    path("auth/otp/verify", views.EmailCodeVerifyView.as_view(), name="otp-verify"),
    path("auth/google", views.GoogleSignInView.as_view(), name="google"),
    path("auth/token/refresh", views.TokenRefreshView.as_view(), name="token-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="logout"),
    path("auth/sessions", sessions.as_view({"get": "list"}), name="session-list"),
    path("auth/sessions/<uuid:pk>", sessions.as_view({"delete": "destroy"}), name="session-detail"),
    path("auth/password/reset", views.PasswordResetView.as_view(), name="password-reset"),
    path("auth/password/reset/confirm", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("auth/password/change", views.PasswordChangeView.as_view(), name="password-change"),
    path("me", views.MeView.as_view(), name="me"),
]
