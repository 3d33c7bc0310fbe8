"""The domain registry: every blueprint package is served, from the one list."""

import pkgutil

import app.blueprints as blueprints
from app.blueprints import DOMAINS


def test_every_blueprint_package_is_listed_once_in_domains():
    packages = {module.name for module in pkgutil.iter_modules(blueprints.__path__) if module.ispkg}
    listed = [domain.name for domain in DOMAINS]

    assert sorted(listed) == sorted(packages)
    assert len(listed) == len(set(listed))


def test_each_domain_is_served_under_its_prefix(app):
    served = {rule.endpoint.partition(".")[0] for rule in app.url_map.iter_rules()}

    assert {domain.name for domain in DOMAINS} <= served
    assert {"wellknown"} <= served
    assert any(rule.rule.startswith("/api/v1/fitness-goals/") for rule in app.url_map.iter_rules())


def test_socket_namespaces_come_from_the_domains_events_modules(app):
    from app.extensions import socketio

    assert "/notifications" in {namespace for _event, _handler, namespace in socketio.handlers}
