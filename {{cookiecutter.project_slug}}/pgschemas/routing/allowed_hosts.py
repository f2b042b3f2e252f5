"""``ALLOWED_HOSTS`` that admits the hosts the host map routes, without a wildcard.

A workspace's custom domain (any host name its owner verified) cannot be listed in the settings
ahead of time. Django checks a request's host by iterating over ``ALLOWED_HOSTS`` (there is no
other seam), so ``RoutedHosts`` is a list of the configured patterns whose iteration goes on with
the routed hosts that no pattern matches: the map's own data, recomputed only when the map was
reloaded. A host nobody routes is refused as before (400).
"""

from collections.abc import Iterator

from django.http.request import validate_host

from .host_map import host_map


class RoutedHosts(list[str]):
    def __init__(self, patterns: list[str]) -> None:
        super().__init__(patterns)
        self._extra: tuple[object, list[str]] = (None, [])

    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        yield from self.unmatched_routed_hosts()

    def unmatched_routed_hosts(self) -> list[str]:
        """Hosts in the host map that no configured pattern admits (its custom domains)."""
        routing = host_map()
        routing.check()
        signature, hosts = self._extra
        if signature != routing.signature or signature is None:
            patterns = list(super().__iter__())
            hosts = [host for host in list(routing.domains) if not validate_host(host, patterns)]
            self._extra = (routing.signature, hosts)
        return hosts
