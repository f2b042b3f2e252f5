"""The blog static tenant (removed from the project when baked with include_blog=n)."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("subdomain", ["blog", "help"])
def test_blog_and_help_domains_serve_the_blog_schema(client, subdomain, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/", headers={"host": f"{subdomain}.{settings.DOMAIN_NAME}"})

    assert response.status_code == 200
    assert response.wsgi_request.tenant.schema_name == "blog"
    assert response.wsgi_request.urlconf == "blog_app.urls"
    assert b"<code>blog</code>" in response.content


def test_blog_has_no_admin(client):
    response = client.get("/admin/", headers={"host": f"blog.{settings.DOMAIN_NAME}"})

    assert response.status_code == 404
