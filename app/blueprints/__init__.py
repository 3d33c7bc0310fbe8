"""The domains of Stride's API, listed once.

`create_app` registers each domain's blueprint (and its Socket.IO namespace, from the package's `events`
module when there is one) from `DOMAINS`, in this order: the order of the OpenAPI document's tags. A new
domain is a package here with `blp` in its `__init__.py`, plus one line below.
"""

from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class Domain:
    name: str  # the package under app/blueprints/, and the same name under models/ and services/
    url_prefix: str = API_PREFIX
    extra: tuple[tuple[str, str], ...] = ()  # more blueprints of the package: (attribute, url prefix)

    @property
    def package(self) -> ModuleType:
        return import_module(f"{__name__}.{self.name}")


DOMAINS: tuple[Domain, ...] = (
    Domain("ops", url_prefix=""),
    Domain("auth", extra=(("wellknown", ""),)),
    Domain("users"),
    Domain("friends"),
    Domain("media"),
    Domain("posts"),
    Domain("feed"),
    Domain("search"),
    Domain("chat"),
    Domain("groups"),
    Domain("challenges"),
    Domain("events"),
    Domain("moderation"),
    Domain("goals"),
    Domain("metrics"),
    Domain("habits"),
    Domain("exercises"),
    Domain("workouts"),
    Domain("plans"),
    Domain("coaching"),
    Domain("stats"),
    Domain("reports"),
    Domain("exports"),
    Domain("memberships"),
    Domain("analytics"),
    Domain("telegram"),
    Domain("notifications"),
    Domain("admin"),
)
