from django.apps import AppConfig


class BlogAppConfig(AppConfig):
    name = "blog_app"
    verbose_name = "Blog"
