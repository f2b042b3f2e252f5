"""The workspace's REST API at /api/v1/ of its own host (Django REST framework): keys, errors,
permissions, serializers and views. See docs/api.md."""
